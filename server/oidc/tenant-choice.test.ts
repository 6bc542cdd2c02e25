// A tenant chosen in an authorization request (tenant_hint, the select page, an accepted invitation) counts
// for the app's grant only when the app redeems that request's code: another site can start an
// authorization request in the person's browser, but never redeems its code, so it changes nothing.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as oidc from 'openid-client';
import { GrantTenant, PendingTenantChoice } from '../db/entities/index.js';
import type { Caller } from '../tenants/access.js';
import type { TenantClaims } from '../tenants/claims.js';
import { insertMembership } from '../tenants/service.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { firstPartyApp, type Person, person, signIn } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };

describeWithServer('a tenant choice counts only when its code is redeemed', (server: () => TestServer) => {
  let acme: string;
  let globex: string;

  before(async () => {
    acme = (await server().tessera.tenants.create(backend, { name: 'Acme Choice' })).id;
    globex = (await server().tessera.tenants.create(backend, { name: 'Globex Choice' })).id;
  });

  const activeOf = (tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers) =>
    (tokens.claims() as unknown as TenantClaims).active_tenant?.tenant_id;

  /** A person in both tenants, signed in to the app with Acme active (by hint); the app holds a refresh token. */
  async function signedInOnAcme(): Promise<{
    who: Person;
    browser: UserAgent;
    refresh: () => Promise<string | undefined>;
  }> {
    const who = await person(server(), 'Chooser');
    await server().db.transaction(async (m) => {
      await insertMembership(m, acme, who.id, ['tenant-user'], null);
      await insertMembership(m, globex, who.id, ['tenant-user'], null);
    });
    const browser = new UserAgent(server().url);
    const { tokens, rp } = await signIn(server(), who, { browser, params: { tenant_hint: acme } });
    assert.equal(activeOf(tokens), acme);
    let refreshToken = tokens.refresh_token!;
    const refresh = async () => {
      const next = await oidc.refreshTokenGrant(rp, refreshToken);
      refreshToken = next.refresh_token!;
      return activeOf(next);
    };
    return { who, browser, refresh };
  }

  /** Another site sends the person's browser to the app's authorization URL; returns the redirect with the code. */
  async function crossSiteRequest(
    browser: UserAgent,
    params: Record<string, string>,
    onPage?: (page: Page) => Promise<Page>,
  ): Promise<URL> {
    const rp = await firstPartyApp(server());
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: `${server().url}/app/callback`,
      scope: 'openid tenants',
      state: 'attacker',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      ...params,
    });
    let page = await browser.follow(url.href);
    for (let steps = 0; onPage && steps < 5 && !page.location?.includes('/app/callback'); steps++)
      page = await onPage(page);
    assert.ok(
      page.location?.includes('/app/callback'),
      `the request ends at the app: ${page.status} ${page.html.slice(0, 300)}`,
    );
    const back = new URL(page.location!);
    assert.ok(back.searchParams.get('code'), `a code is issued: ${back.search}`);
    return back;
  }

  test("a cross-site prompt=none request with tenant_hint, whose code is never redeemed, leaves the app's next refresh on the old tenant", async () => {
    const { browser, refresh } = await signedInOnAcme();
    await crossSiteRequest(browser, { prompt: 'none', tenant_hint: globex });
    assert.equal(await refresh(), acme);
  });

  test('the same request, when the app redeems its code, switches the tenant: in those tokens and at the next refresh', async () => {
    const { who, browser, refresh } = await signedInOnAcme();
    const { tokens } = await signIn(server(), who, {
      browser,
      params: { prompt: 'none', tenant_hint: 'globex-choice' },
    });
    assert.equal(activeOf(tokens), globex);
    assert.equal(await refresh(), globex, "the grant's earlier refresh token follows the redeemed choice");
  });

  test('a choice on the select-tenant page whose code is never redeemed changes nothing', async () => {
    const { browser, refresh } = await signedInOnAcme();
    await crossSiteRequest(browser, { prompt: 'select_tenant' }, async (page) => {
      const id = /value="([0-9a-f-]{36})"[^>]*>\s*<span><strong>Globex Choice</.exec(page.html)?.[1];
      assert.ok(id, `the select page offers Globex: ${page.html.slice(0, 300)}`);
      return browser.submit(page, /\/select-tenant$/, { tenant_id: id });
    });
    assert.equal(await refresh(), acme);
  });

  test("joining through an invitation in a request whose code is never redeemed: a member, but the app's tenant stays", async () => {
    const { who, browser, refresh } = await signedInOnAcme();
    const initech = (await server().tessera.tenants.create(backend, { name: 'Initech Choice' })).id;
    const { token } = await server().tessera.invitations.create(backend, initech, {
      roles: ['tenant-user'],
      deliver: 'none',
    });
    await crossSiteRequest(browser, { invitation: token! }, (page) =>
      browser.submit(page, /\/invitation$/, { decision: 'accept' }),
    );
    assert.ok(
      await server()
        .tessera.directory.membershipsOf(who.id)
        .then((all) => all.some((x) => x.tenant_id === initech)),
      'the person joined',
    );
    assert.equal(await refresh(), acme);
  });

  test('a pending choice lives as long as its code and is cleaned up with other expired rows', async () => {
    const { browser } = await signedInOnAcme();
    const back = await crossSiteRequest(browser, { prompt: 'none', tenant_hint: globex });
    const held = await server().db.read((m) =>
      m.findOneByOrFail(PendingTenantChoice, { codeId: back.searchParams.get('code')! }),
    );
    assert.equal(held.tenantId, globex);
    assert.ok(held.expiresAt.getTime() <= Date.now() + 61_000, 'no longer than the code (60 s)');
    const grantRows = await server().db.read((m) => m.count(GrantTenant));
    await server().tessera.directory.deleteExpired(new Date(Date.now() + 61_000));
    assert.equal(await server().db.read((m) => m.countBy(PendingTenantChoice, { codeId: held.codeId })), 0);
    assert.equal(await server().db.read((m) => m.count(GrantTenant)), grantRows, 'live grants keep their tenant');
  });
});
