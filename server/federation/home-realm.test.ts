// Identity-first sign-in and home-realm discovery over HTTP, on both databases: a tenant admin routes a
// verified domain to the tenant's own connection (and may turn passwords off for it) through the Management
// API; login_hint and domain_hint in such a domain go straight to the connection's upstream; the Continue
// step sends a routed address there and any other to the password step; a refused password is never
// checked; deleting the connection empties the route. The answers depend on the domain alone: the same
// whether or not an account exists.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { after, before, test } from 'node:test';
import { AuditEvent, TenantDomain } from '../db/entities/index.js';
import { apiClient } from '../../test/support/api.js';
import { connectTo, FEDERATION_ENV, startAppSignIn, submitAny, tokensAt } from '../../test/support/federation.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, firstPartyApp } from '../../test/support/tokens.js';
import { startOidcUpstream, type Upstream } from '../../test/support/upstream.js';
import { findForm, type Page, UserAgent } from '../../test/support/user-agent.js';
import type { DomainView } from './domains.js';

type Reply = DomainView & { error?: string };

/** A page with what differs between two renderings of the same answer taken out: the address and the token. */
const sameAnswer = (page: Page, address: string) =>
  page.html.replaceAll(address, 'ADDRESS').replace(/name="_csrf" value="[^"]*"/g, '');

describeWithServer(
  'Identity-first sign-in: home-realm discovery',
  (server: () => TestServer) => {
    let up: Upstream;
    let manage: string;
    let routedTenant: string;
    let otherTenant: string;
    let routedConnection: string;
    let otherConnection: string;
    const { call, tenantWith } = apiClient(server);
    const domainsOf = (tenantId: string) => `/api/tenants/${tenantId}/domains`;
    const attest = async (tenantId: string, domain: string) => server().tessera.domains.attest(tenantId, domain);
    const route = (tenantId: string, domainId: string, body: Record<string, unknown>) =>
      call<Reply>('PATCH', `${domainsOf(tenantId)}/${domainId}`, manage, body);
    const atUpstream = (page: Page) => page.url.startsWith(up.url);

    before(async () => {
      const callback = (slug: string) => `${server().url}/connections/${slug}/callback`;
      up = await startOidcUpstream([callback('routed-sso'), callback('other-sso'), callback('spare-sso')]);
      manage = await clientToken(server(), { manage: true });
      routedTenant = await tenantWith(manage, 'Routed Inc');
      otherTenant = await tenantWith(manage, 'Other Ltd');
      routedConnection = (
        await connectTo(server(), up, { slug: 'routed-sso', name: 'Routed SSO', tenantId: routedTenant })
      ).id;
      otherConnection = (await connectTo(server(), up, { slug: 'other-sso', name: 'Other SSO', tenantId: otherTenant }))
        .id;
      const open = await attest(routedTenant, 'routed.test');
      assert.equal((await route(routedTenant, open.id, { sso_connection_id: routedConnection })).status, 200);
      const closed = await attest(routedTenant, 'closed.test');
      const closing = await route(routedTenant, closed.id, {
        sso_connection_id: routedConnection,
        password_sign_in: false,
      });
      assert.equal(closing.status, 200);
      await attest(otherTenant, 'plain.test');
    });
    after(() => up.close());

    test('a tenant admin routes a verified domain to the tenant’s connection and turns passwords off; both audited', async () => {
      const domain = await attest(routedTenant, 'audited.test');
      assert.equal(domain.sso_connection_id, null, 'a new domain routes nowhere');
      assert.equal(domain.password_sign_in, true, 'and allows passwords');
      const changed = await route(routedTenant, domain.id, {
        sso_connection_id: routedConnection,
        password_sign_in: false,
      });
      assert.equal(changed.status, 200);
      assert.equal(changed.body.sso_connection_id, routedConnection);
      assert.equal(changed.body.password_sign_in, false);
      const read = await call<Reply>('GET', `${domainsOf(routedTenant)}/${domain.id}`, manage);
      assert.deepEqual([read.body.sso_connection_id, read.body.password_sign_in], [routedConnection, false]);
      const events = await server().db.read((m) =>
        m.findBy(AuditEvent, { type: 'domain.sign_in_changed', subject: 'audited.test' }),
      );
      assert.equal(events.length, 1);

      const cleared = await route(routedTenant, domain.id, { sso_connection_id: null, password_sign_in: true });
      assert.deepEqual([cleared.body.sso_connection_id, cleared.body.password_sign_in], [null, true]);
    });

    test('only an enabled connection of the same tenant, on a verified domain; passwords go off only with a connection', async () => {
      const verified = await attest(routedTenant, 'rules.test');
      const foreign = await route(routedTenant, verified.id, { sso_connection_id: otherConnection });
      assert.equal(foreign.status, 422, 'another tenant’s connection cannot be chosen');
      assert.equal(foreign.body.error, 'connection_not_usable');

      const spare = await connectTo(server(), up, { slug: 'spare-sso', tenantId: routedTenant });
      await server().tessera.connections.update(
        { kind: 'tenant', caller: { kind: 'client', clientId: 'test', manage: true }, tenantId: routedTenant },
        spare.id,
        { disabled: true },
      );
      const disabled = await route(routedTenant, verified.id, { sso_connection_id: spare.id });
      assert.equal(disabled.status, 422, 'a disabled connection cannot be chosen');

      const passwordOnly = await route(routedTenant, verified.id, { password_sign_in: false });
      assert.equal(passwordOnly.status, 422);
      assert.equal(passwordOnly.body.error, 'password_needs_connection');

      const claimed = await call<Reply>('POST', domainsOf(routedTenant), manage, { domain: 'unproven.test' });
      assert.equal(claimed.status, 201);
      const unverified = await route(routedTenant, claimed.body.id, { sso_connection_id: routedConnection });
      assert.equal(unverified.status, 409, 'an unverified domain routes nowhere');
      assert.equal(unverified.body.error, 'domain_not_verified');

      assert.equal((await route(routedTenant, verified.id, {})).status, 400, 'an empty change is refused');
      const unchanged = await call<Reply>('GET', `${domainsOf(routedTenant)}/${verified.id}`, manage);
      assert.deepEqual([unchanged.body.sso_connection_id, unchanged.body.password_sign_in], [null, true]);
    });

    test('deleting the connection a domain routes to empties the route: the domain signs in as before', async () => {
      const gone = await connectTo(server(), up, { slug: 'gone-sso', tenantId: routedTenant });
      const domain = await attest(routedTenant, 'gone.test');
      assert.equal((await route(routedTenant, domain.id, { sso_connection_id: gone.id })).status, 200);
      const deleted = await call('DELETE', `/api/tenants/${routedTenant}/connections/${gone.id}`, manage);
      assert.equal(deleted.status, 204);
      const read = await call<Reply>('GET', `${domainsOf(routedTenant)}/${domain.id}`, manage);
      assert.equal(read.body.sso_connection_id, null);
      const page = await startAppSignIn(server(), new UserAgent(server().url), {
        params: { domain_hint: 'gone.test' },
      });
      assert.equal(page.page.status, 200, 'Tessera’s own page, not a provider');
    });

    test('login_hint in a routed domain goes straight to the connection’s upstream, and the person is back at the app', async () => {
      const browser = new UserAgent(server().url);
      const { page, rp, verifier } = await startAppSignIn(server(), browser, {
        params: { login_hint: 'ada@Routed.test' },
      });
      assert.ok(atUpstream(page), `the upstream's login form, not Tessera's page: ${page.url}`);
      up.people.set('ada-routed', { email: 'ada@routed.test', email_verified: true, name: 'Ada Routed' });
      const back = await submitAny(browser, page, /\/interaction\//, { login: 'ada-routed', password: 'any' });
      const claims = (await tokensAt(rp, back, verifier)).claims()!;
      assert.equal(claims.idp, 'routed-sso');
      assert.deepEqual(claims.amr, ['fed']);
    });

    test('domain_hint routes too; a domain without a connection, or not verified, never routes', async () => {
      const routed = await startAppSignIn(server(), new UserAgent(server().url), {
        params: { domain_hint: 'routed.test' },
      });
      assert.ok(atUpstream(routed.page), 'domain_hint of a routed domain goes to the upstream');

      const plain = await startAppSignIn(server(), new UserAgent(server().url), {
        params: { domain_hint: 'plain.test' },
      });
      assert.equal(plain.page.status, 200);
      assert.match(plain.page.html, /action="\/interaction\/[\w-]+\/identify"/, 'Tessera’s own page');

      // Even a claim whose column somehow names a connection routes nothing until the domain is verified.
      const claimed = await call<Reply>('POST', domainsOf(routedTenant), manage, { domain: 'squatted.test' });
      await server().db.write((m) =>
        m.update(TenantDomain, { id: claimed.body.id }, { ssoConnectionId: routedConnection }),
      );
      const squatted = await startAppSignIn(server(), new UserAgent(server().url), {
        params: { login_hint: 'eve@squatted.test' },
      });
      assert.equal(squatted.page.status, 200);
      assert.match(squatted.page.html, /name="password"/, 'the password step, with the address from the hint');
    });

    test('the Continue step: a routed address goes to its upstream; any other gets the password step, the same with or without an account', async () => {
      const browser = new UserAgent(server().url);
      const { page } = await startAppSignIn(server(), browser);
      assert.match(page.html, /action="\/interaction\/[\w-]+\/identify"/);
      assert.doesNotMatch(page.html, /name="password"/, 'identity-first: the address alone');
      assert.equal(findForm(page.html, /\/identify$/).action.includes('/interaction/'), true);

      const routed = await browser.submit(page, /\/identify$/, { email: 'grace@routed.test' });
      assert.equal(routed.status, 303);
      assert.ok(routed.location?.startsWith(up.url), 'straight to the upstream');
      assert.equal(new URL(routed.location!).searchParams.get('login_hint'), 'grace@routed.test', 'with the address');

      const account = 'kim@plain.test';
      await server().tessera.accounts.createAccount({
        email: account,
        name: 'Kim',
        password: 'correct horse battery staple',
        verified: true,
      });
      const known = await browser.submit(page, /\/identify$/, { email: account });
      const unknown = await browser.submit(page, /\/identify$/, { email: 'nobody@plain.test' });
      assert.equal(known.status, 200);
      assert.match(known.html, /name="password"/);
      assert.match(known.html, new RegExp(`value="${account}"`), 'the address filled in');
      assert.equal(sameAnswer(known, account), sameAnswer(unknown, 'nobody@plain.test'), 'nothing tells them apart');

      const empty = await browser.submit(page, /\/identify$/, { email: ' ' });
      assert.equal(empty.status, 400);
      assert.match(empty.html, /Enter your e-mail address/);
    });

    test('a password for a domain whose tenant turned passwords off is never checked: the page offers the connection', async () => {
      const account = 'lee@closed.test';
      const password = 'correct horse battery staple';
      await server().tessera.accounts.createAccount({ email: account, name: 'Lee', password, verified: true });
      const browser = new UserAgent(server().url);
      const { page } = await startAppSignIn(server(), browser);
      const form = await browser.follow(`${new URL(page.url).pathname}?step=password`);
      assert.match(form.html, /name="password"/);

      const right = await browser.submit(form, /\/login$/, { email: account, password });
      const stranger = await browser.submit(form, /\/login$/, { email: 'nobody@closed.test', password });
      assert.equal(right.status, 403, 'the right password signs nobody in');
      assert.match(right.html, /Your organisation signs you in through Routed SSO\./);
      assert.equal(sameAnswer(right, account), sameAnswer(stranger, 'nobody@closed.test'), 'no enumeration');

      const there = await browser.submit(right, /\/connection\/routed-sso$/);
      assert.ok(there.location?.startsWith(up.url), 'the button starts the sign-in through the connection');

      // A domain that routes but keeps passwords: the password is checked as usual.
      await server().tessera.accounts.createAccount({
        email: 'max@routed.test',
        name: 'Max',
        password,
        verified: true,
      });
      const allowed = await browser.submit(form, /\/login$/, { email: 'max@routed.test', password });
      assert.equal(
        new URL(allowed.location ?? '', server().url).pathname,
        '/app/callback',
        'signed in with the password',
      );
    });

    test('back from a routed hint (a cancelled upstream sign-in), the page shows with the connection’s button instead of routing again', async () => {
      const browser = new UserAgent(server().url);
      const rp = await firstPartyApp(server());
      const authorize = oidc.buildAuthorizationUrl(rp, {
        redirect_uri: `${server().url}/app/callback`,
        scope: 'openid',
        state: 's',
        login_hint: 'bo@closed.test',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      // Tessera's last page before the upstream: the interaction that sent the browser there.
      const routed = await browser.follow(authorize.href);
      assert.ok(routed.location?.startsWith(up.url), 'the hint went to the upstream');
      const uid = /\/interaction\/([\w-]+)$/.exec(new URL(routed.url).pathname)?.[1];
      assert.ok(uid, routed.url);
      const again = await browser.request(`/interaction/${uid}`);
      assert.equal(again.status, 200, 'no second redirect');
      assert.match(again.html, /Continue with Routed SSO/);
      assert.match(again.html, /value="bo@closed.test"/);
    });
  },
  { ...FEDERATION_ENV, SIGN_IN_IDENTITY_FIRST: 'true' },
);

describeWithServer(
  'Sign-in page without identity-first (the default): one form, home-realm discovery still answers',
  (server: () => TestServer) => {
    const { call, tenantWith } = apiClient(server);
    // The upstream is never reached here: a refused password answers with the connection's button.
    const nowhere = { url: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's' } as Upstream;

    test('the page asks for address and password at once; a password for a domain with passwords off is refused with the button', async () => {
      const manage = await clientToken(server(), { manage: true });
      const tenantId = await tenantWith(manage, 'Closed Corp');
      const sso = await connectTo(server(), nowhere, { slug: 'closed-sso', name: 'Closed SSO', tenantId });
      const domain = await server().tessera.domains.attest(tenantId, 'shut.test');
      const patch = { sso_connection_id: sso.id, password_sign_in: false };
      assert.equal((await call('PATCH', `/api/tenants/${tenantId}/domains/${domain.id}`, manage, patch)).status, 200);

      const browser = new UserAgent(server().url);
      const { page } = await startAppSignIn(server(), browser);
      assert.match(page.html, /name="password"/, 'one form: address and password');
      assert.doesNotMatch(page.html, /\/identify"/);
      const refused = await browser.submit(page, /\/login$/, { email: 'ann@shut.test', password: 'whatever it is' });
      assert.equal(refused.status, 403);
      assert.match(refused.html, /Your organisation signs you in through Closed SSO\./);
      assert.match(refused.html, /action="\/interaction\/[\w-]+\/connection\/closed-sso"/);
    });
  },
);
