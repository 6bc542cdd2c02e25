// Federation around the account: registering a password for an address a federated account holds, the
// account page's ways to sign in / sessions and apps / deletion, a tenant's own connections through the
// Management API, and an invitation accepted through a tenant's connection. On both databases.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Account, Connection, Identity, Membership } from '../db/entities/index.js';
import type { TenantClaims } from '../tenants/claims.js';
import { linkIn, mailsTo, registerThroughPages } from '../../test/support/accounts.js';
import { apiClient } from '../../test/support/api.js';
import {
  connectTo,
  FEDERATION_ENV,
  followAll,
  startAppSignIn,
  submitAny,
  tokensAt,
  viaUpstream,
} from '../../test/support/federation.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, firstPartyApp, person, signIn, userToken } from '../../test/support/tokens.js';
import { startOidcUpstream, type Upstream } from '../../test/support/upstream.js';
import { UserAgent } from '../../test/support/user-agent.js';
import { SoftAuthenticator } from '../../test/support/authenticator.js';
import { AttestationResponse } from '../factors/passkeys.js';

describeWithServer(
  'Federation: accounts from connections, the account page, tenant connections',
  (server: () => TestServer) => {
    let up: Upstream;
    const { call, tenantWith } = apiClient(server);
    const callback = (slug: string) => `${server().url}/connections/${slug}/callback`;
    const unique = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;

    before(async () => {
      up = await startOidcUpstream([callback('corp'), callback('extra'), callback('umbrella-sso')]);
      await connectTo(server(), up, { slug: 'corp', name: 'Corp ID' });
      await connectTo(server(), up, { slug: 'extra', name: 'Extra ID' });
    });
    after(() => up.close());

    /** An account made by signing in through `slug` as `login`; returns its id. */
    async function federatedAccount(login: string, claims: Record<string, unknown>, slug = 'corp') {
      up.people.set(login, claims);
      const browser = new UserAgent(server().url);
      const { page, rp, verifier } = await startAppSignIn(server(), browser);
      const tokens = await tokensAt(rp, await viaUpstream(browser, page, `/connection/${slug}`, login), verifier);
      return { id: tokens.claims()!.sub, browser };
    }

    /** The account page, signed in through `slug` as `login` in a fresh browser. */
    async function accountPageVia(login: string, slug = 'corp') {
      const browser = new UserAgent(server().url);
      const signInPage = await followAll(browser, `${server().url}/account`);
      const page = await viaUpstream(browser, signInPage, `/connection/${slug}`, login);
      assert.match(page.html, /Your account/, page.html.slice(0, 800));
      return { browser, page };
    }

    test('registering a password for an address a federated account holds: the same answer as any, and a mail with the way in and a link to add a password', async () => {
      const login = unique('reg');
      const email = `${login}@example.test`;
      const { id } = await federatedAccount(login, { email, email_verified: true, name: 'Reggie' });
      const rp = await firstPartyApp(server());
      const answer = await registerThroughPages(server(), rp, new UserAgent(server().url), {
        name: 'Someone',
        email,
        password: 'another long password',
      });
      assert.match(answer.html, /Check your inbox/);
      assert.equal(await server().db.read((m) => m.countBy(Account, { email })), 1, 'no second account');
      const [mail] = await mailsTo(server(), email);
      assert.match(mail!.subject, /already have an account/);
      assert.match(mail!.bodyText, /Corp ID/);

      const owner = new UserAgent(server().url);
      const form = await owner.follow(await linkIn(server(), email, '/reset-password/new'));
      const done = await owner.submit(form, '/reset-password/new', { password: 'the owner password 1' });
      assert.match(done.html, /password is changed/);
      const { tokens } = await signIn(server(), { id, email, password: 'the owner password 1' }, { scope: 'openid' });
      assert.equal(tokens.claims()!.sub, id, 'the password now signs in to the federated account');
    });

    test('account page: ways to sign in; the only one cannot be removed; another is linked through the upstream, then one may go', async () => {
      const login = unique('meth');
      const { id } = await federatedAccount(login, {});
      const { browser, page } = await accountPageVia(login);
      assert.match(page.html, /Through Corp ID/);
      assert.match(page.html, /Signed in on [^<]* · with Corp ID/, 'the session names the connection');
      const refused = await submitAny(browser, page, /\/identities\/[^/]+\/unlink$/);
      assert.equal(refused.status, 409);
      assert.match(refused.html, /only way to sign in/);

      const extraLogin = unique('meth-extra');
      up.people.set(extraLogin, {});
      const linked = await viaUpstream(browser, refused, '/account/connections/extra/link', extraLogin);
      assert.match(linked.html, /new way to sign in is linked/);
      assert.equal(await server().db.read((m) => m.countBy(Identity, { accountId: id })), 2);

      const removed = await submitAny(browser, linked, /\/identities\/[^/]+\/unlink$/);
      assert.match(removed.html, /is removed from your account/);
      assert.equal(await server().db.read((m) => m.countBy(Identity, { accountId: id })), 1);
    });

    test('account page: with a passkey, the only identity may go (the passkey signs in)', async () => {
      const login = unique('pk');
      const { id } = await federatedAccount(login, {});
      const { browser, page } = await accountPageVia(login);
      const key = new SoftAuthenticator(new URL(server().url).hostname);
      const passkeys = server().tessera.factors.passkeys;
      const options = await passkeys.registrationOptions({ id, userName: login, displayName: login });
      await passkeys.register(id, AttestationResponse.parse(key.register(options, server().url)), 'Key');
      const removed = await submitAny(browser, page, /\/identities\/[^/]+\/unlink$/);
      assert.match(removed.html, /is removed from your account/);
      assert.equal(await server().db.read((m) => m.countBy(Identity, { accountId: id })), 0);
    });

    test('account page: an upstream identity of another account is not linked from the account page', async () => {
      const taken = unique('taken');
      await federatedAccount(taken, {}, 'extra');
      const { browser, page } = await accountPageVia(unique('mine'));
      const refused = await viaUpstream(browser, page, '/account/connections/extra/link', taken);
      assert.equal(refused.status, 409);
      assert.match(refused.html, /already belongs to another account/);
    });

    test('account page: sessions and apps are listed; ending an app revokes its tokens', async () => {
      const who = await person(server(), 'Sessy');
      const { tokens, browser } = await signIn(server(), who, { scope: 'openid' });
      const page = await browser.follow(`${server().url}/account`);
      assert.match(page.html, /Sessions and apps/);
      assert.match(page.html, /Signed in on [^<]* · with a password/);
      assert.match(page.html, /Portal/);
      const ended = await submitAny(browser, page, /\/account\/apps\/[^/]+\/end$/);
      assert.match(ended.html, /no longer has access/);
      const me = await fetch(`${server().url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(me.status, 401, 'the access token is revoked with the grant');
    });

    test('deleting the account: refused while the last admin of a tenant; otherwise memberships, identities and the account go', async () => {
      const login = unique('del');
      const { id } = await federatedAccount(login, { name: 'Del' });
      const manage = await clientToken(server(), { manage: true });
      const tenantId = await tenantWith(manage, 'Del Corp', [{ id, email: '', password: '' }]);
      const { browser, page } = await accountPageVia(login);
      assert.match(page.html, /last tenant-admin of Del Corp/);
      const refused = await browser.request(`${server().url}/account/delete`, {
        form: { _csrf: /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!, confirm: 'delete' },
      });
      assert.equal(refused.status, 409);
      assert.ok(await server().db.read((m) => m.existsBy(Account, { id })));

      const other = await person(server(), 'Heir');
      await server().db.transaction(async (m) => {
        const { insertMembership } = await import('../tenants/service.js');
        await insertMembership(m, tenantId, other.id, ['tenant-admin'], null);
      });
      const again = await browser.follow(`${server().url}/account`);
      const deleted = await submitAny(browser, again, '/account/delete', { confirm: 'delete' });
      assert.match(deleted.html, /Your account is deleted/);
      assert.equal(await server().db.read((m) => m.existsBy(Account, { id })), false);
      assert.equal(await server().db.read((m) => m.countBy(Identity, { accountId: id })), 0);
      assert.equal(await server().db.read((m) => m.countBy(Membership, { accountId: id })), 0);
      const after = await browser.follow(`${server().url}/account`);
      assert.doesNotMatch(after.html, /Your account<\/h1>/, 'signed out everywhere');
    });

    test("Management API: a tenant-admin adds, reads, disables and deletes the tenant's connection; the secret is never shown; a member may not", async () => {
      const admin = await person(server(), 'Ada');
      const member = await person(server(), 'Mel');
      const manage = await clientToken(server(), { manage: true });
      const tenantId = await tenantWith(manage, 'Api Corp', [admin], [member]);
      const adminToken = await userToken(server(), admin);
      const base = `/api/tenants/${tenantId}/connections`;
      const secret = 'top-secret-value-123';
      const body = {
        slug: unique('apicorp'),
        kind: 'oidc',
        name: 'Api SSO',
        issuer: up.url,
        client_id: 'x',
        client_secret: secret,
      };
      const created = await call<{ id: string; has_secret: boolean; redirect_uri: string; tenant_id: string }>(
        'POST',
        base,
        adminToken,
        body,
      );
      assert.equal(created.status, 201);
      assert.equal(created.body.has_secret, true);
      assert.equal(created.body.tenant_id, tenantId);
      assert.equal(created.body.redirect_uri, `${server().url}/connections/${body.slug}/callback`);
      assert.ok(!JSON.stringify(created.body).includes(secret));
      const stored = await server().db.read((m) => m.findOneByOrFail(Connection, { id: created.body.id }));
      assert.ok(stored.secret && !stored.secret.includes(secret), 'stored sealed');

      assert.equal((await call('POST', base, adminToken, body)).status, 409, 'slugs are unique');
      assert.equal(
        (await call('POST', base, adminToken, { ...body, slug: unique('x'), issuer: undefined })).status,
        400,
      );
      const list = await call<{ items: { id: string }[] }>('GET', base, adminToken);
      assert.deepEqual(
        list.body.items.map((c) => c.id),
        [created.body.id],
      );
      const memberToken = await userToken(server(), member);
      assert.equal((await call('GET', base, memberToken)).status, 403);
      assert.equal((await call('POST', base, memberToken, { ...body, slug: unique('m') })).status, 403);
      const disabled = await call<{ disabled: boolean }>('PATCH', `${base}/${created.body.id}`, adminToken, {
        disabled: true,
      });
      assert.equal(disabled.body.disabled, true);
      assert.equal((await call('DELETE', `${base}/${created.body.id}`, adminToken)).status, 204);
      assert.equal((await call('GET', `${base}/${created.body.id}`, adminToken)).status, 404);
    });

    test("interop: a person invited by link to a tenant signs in through the tenant's connection, joins, and the app's tokens carry the tenant", async () => {
      const manage = await clientToken(server(), { manage: true });
      const tenantId = await tenantWith(manage, 'Umbrella');
      await connectTo(server(), up, { slug: 'umbrella-sso', name: 'Umbrella SSO', tenantId });
      const backend = { kind: 'client' as const, clientId: 'test', manage: true };
      const { token } = await server().tessera.invitations.create(backend, tenantId, {
        roles: ['tenant-user'],
        deliver: 'none',
      });
      const login = unique('invitee');
      up.people.set(login, {});

      const browser = new UserAgent(server().url);
      const plain = await startAppSignIn(server(), new UserAgent(server().url));
      assert.doesNotMatch(plain.page.html, /Umbrella SSO/, "a tenant's connection is not offered to everyone");
      const { page, rp, verifier } = await startAppSignIn(server(), browser, { params: { invitation: token! } });
      assert.match(page.html, /Sign in with Umbrella SSO/);
      const prompt = await viaUpstream(browser, page, '/connection/umbrella-sso', login);
      assert.match(prompt.html, /You are invited to join Umbrella/);
      const back = await submitAny(browser, prompt, /\/invitation$/, { decision: 'accept' });
      const claims = (await tokensAt(rp, back, verifier)).claims() as unknown as TenantClaims & {
        idp: string;
        email?: string;
      };
      assert.equal(claims.idp, 'umbrella-sso');
      assert.equal(claims.email, undefined, 'an account without e-mail');
      assert.equal(claims.active_tenant?.tenant_id, tenantId);
      assert.deepEqual(claims.active_tenant?.roles, ['tenant-user']);
    });
  },
  FEDERATION_ENV,
);
