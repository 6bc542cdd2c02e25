// Tenant claims in tokens, with openid-client as the relying party, on each database.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { type Person, person, signIn } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';
import type { TenantClaims } from './claims.js';
import { insertMembership } from './service.js';

describeWithServer('tenant claims in tokens', (server: () => TestServer) => {
  const backend = { kind: 'client', clientId: 'test', manage: true } as const;
  let acme: string;
  let globex: string;

  before(async () => {
    acme = (await server().tessera.tenants.create(backend, { name: 'Acme' })).id;
    globex = (await server().tessera.tenants.create(backend, { name: 'Globex' })).id;
  });

  const join = (tenantId: string, who: Person, roles: string[]) =>
    server().db.transaction((m) => insertMembership(m, tenantId, who.id, roles, null));
  const claimsOf = (tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers) =>
    tokens.claims() as unknown as TenantClaims;

  /** Answers the select-tenant page by picking the tenant named `name`, and records that the page was shown. */
  function choose(browser: UserAgent, name: string, shown: string[] = []) {
    return async (page: Page): Promise<Page> => {
      assert.match(
        page.html,
        /Choose an organisation/,
        `expected the select-tenant page, got ${page.status}: ${page.html.slice(0, 300)}`,
      );
      shown.push('select_tenant');
      const id = new RegExp(`value="([0-9a-f-]{36})"[^>]*>\\s*<span><strong>${name}<`).exec(page.html)?.[1];
      assert.ok(id, `${name} is offered`);
      return browser.submit(page, /\/select-tenant$/, { tenant_id: id });
    };
  }

  test('no membership: all_tenants is [] and there is no active_tenant', async () => {
    const nobody = await person(server(), 'Nobody');
    const { tokens, rp } = await signIn(server(), nobody);
    const claims = claimsOf(tokens);
    assert.deepEqual(claims.all_tenants, []);
    assert.equal('active_tenant' in claims, false);
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    assert.deepEqual(info.all_tenants, []);
  });

  test('without the tenants scope there are no tenant claims at all', async () => {
    const solo = await person(server(), 'Solo');
    await join(acme, solo, ['tenant-user']);
    const { tokens } = await signIn(server(), solo, { scope: 'openid email' });
    assert.equal('all_tenants' in tokens.claims()!, false);
  });

  test('exactly one membership: chosen silently, in the ID token and userinfo', async () => {
    const one = await person(server(), 'One');
    await join(acme, one, ['tenant-admin']);
    const { tokens, rp } = await signIn(server(), one);
    const expected = { tenant_id: acme, tenant_name: 'Acme', roles: ['tenant-admin'] };
    assert.deepEqual(claimsOf(tokens).active_tenant, expected);
    assert.deepEqual(claimsOf(tokens).all_tenants, [expected]);
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    assert.deepEqual(info.active_tenant, expected);
  });

  test('two memberships: the select-tenant page is shown, and the choice becomes active_tenant', async () => {
    const two = await person(server(), 'Two');
    await join(acme, two, ['tenant-user']);
    await join(globex, two, ['tenant-admin']);
    const shown: string[] = [];
    const browser = new UserAgent(server().url);
    const { tokens } = await signIn(server(), two, { browser, onPage: choose(browser, 'Globex', shown) });
    assert.deepEqual(shown, ['select_tenant']);
    assert.equal(claimsOf(tokens).active_tenant?.tenant_id, globex);
    assert.deepEqual(
      claimsOf(tokens).all_tenants.map((t) => t.tenant_name),
      ['Acme', 'Globex'],
    );
  });

  test('a tenant_hint (id or slug) of one of the tenants chooses silently; a foreign hint is ignored', async () => {
    const hinted = await person(server(), 'Hinted');
    await join(acme, hinted, ['tenant-user']);
    await join(globex, hinted, ['tenant-user']);
    const bySlug = await signIn(server(), hinted, { params: { tenant_hint: 'globex' } });
    assert.equal(claimsOf(bySlug.tokens).active_tenant?.tenant_id, globex);
    const byId = await signIn(server(), hinted, { params: { tenant_hint: acme }, browser: bySlug.browser });
    assert.equal(claimsOf(byId.tokens).active_tenant?.tenant_id, acme);
    const shown: string[] = [];
    const browser = new UserAgent(server().url);
    await signIn(server(), hinted, {
      params: { tenant_hint: crypto.randomUUID() },
      browser,
      onPage: choose(browser, 'Acme', shown),
    });
    assert.deepEqual(shown, ['select_tenant'], 'an unknown hint falls back to the page');
  });

  test('prompt=select_tenant switches the active tenant in new tokens; refresh keeps the choice', async () => {
    const switcher = await person(server(), 'Switcher');
    await join(acme, switcher, ['tenant-user']);
    await join(globex, switcher, ['tenant-user']);
    const browser = new UserAgent(server().url);
    const first = await signIn(server(), switcher, { browser, onPage: choose(browser, 'Acme') });
    assert.equal(claimsOf(first.tokens).active_tenant?.tenant_id, acme);
    const again = await signIn(server(), switcher, { browser }).catch(() => undefined);
    assert.equal(
      again && claimsOf(again.tokens).active_tenant?.tenant_id,
      acme,
      'the choice is remembered: no page the second time',
    );
    const switched = await signIn(server(), switcher, {
      browser,
      params: { prompt: 'select_tenant' },
      onPage: choose(browser, 'Globex'),
    });
    assert.equal(claimsOf(switched.tokens).active_tenant?.tenant_id, globex);
    const refreshed = await oidc.refreshTokenGrant(switched.rp, switched.tokens.refresh_token!);
    assert.equal(claimsOf(refreshed).active_tenant?.tenant_id, globex);
  });

  test('prompt=none is never blocked by the tenant choice', async () => {
    const quiet = await person(server(), 'Quiet');
    await join(acme, quiet, ['tenant-user']);
    await join(globex, quiet, ['tenant-user']);
    const browser = new UserAgent(server().url);
    await signIn(server(), quiet, { browser, onPage: choose(browser, 'Acme') });
    const silent = await signIn(server(), quiet, { browser, params: { prompt: 'none' } });
    assert.equal(claimsOf(silent.tokens).active_tenant?.tenant_id, acme);
  });

  test('a removed member: the next refresh has no claim for that tenant and no active_tenant', async () => {
    const leaver = await person(server(), 'Leaver');
    await join(acme, leaver, ['tenant-user']);
    const membership = await join(globex, leaver, ['tenant-user']);
    const browser = new UserAgent(server().url);
    const { tokens, rp } = await signIn(server(), leaver, { browser, onPage: choose(browser, 'Globex') });
    assert.equal(claimsOf(tokens).active_tenant?.tenant_id, globex);
    await server().db.write((m) => m.delete('memberships', { id: membership.id }));
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    assert.deepEqual(
      claimsOf(refreshed).all_tenants.map((t) => t.tenant_id),
      [acme],
    );
    assert.equal(claimsOf(refreshed).active_tenant?.tenant_id, acme, 'with one membership left, it is the active one');
  });

  test('JWT access tokens for the API carry the tenant claims when the tenants scope was granted', async () => {
    const dev = await person(server(), 'Dev');
    await join(acme, dev, ['tenant-admin']);
    const { tokens } = await signIn(server(), dev, { scope: 'openid tenants tenants:admin', api: true });
    const payload = jose.decodeJwt(tokens.access_token) as unknown as TenantClaims;
    assert.equal(payload.active_tenant?.tenant_id, acme);
    assert.equal(payload.all_tenants.length, 1);
  });
});

describeWithServer(
  'create-tenant prompt with TENANT_SELF_SERVICE=true',
  (server: () => TestServer) => {
    test('a person with no tenant is offered to create one, becomes its admin, and it is active in the tokens', async () => {
      const founder = await person(server(), 'Founder');
      const browser = new UserAgent(server().url);
      const shown: string[] = [];
      const { tokens } = await signIn(server(), founder, {
        browser,
        onPage: async (page) => {
          assert.match(page.html, /Create your organisation/);
          shown.push('create_tenant');
          return browser.submit(page, /\/create-tenant$/, { name: 'Founders Inc' });
        },
      });
      assert.deepEqual(shown, ['create_tenant']);
      const claims = tokens.claims() as unknown as TenantClaims;
      assert.equal(claims.active_tenant?.tenant_name, 'Founders Inc');
      assert.deepEqual(claims.active_tenant?.roles, ['tenant-admin']);
    });

    test('"Skip for now" signs in without a tenant, and the offer comes back at the next sign-in', async () => {
      const skipper = await person(server(), 'Skipper');
      const browser = new UserAgent(server().url);
      let offers = 0;
      const skip = async (page: Page) => {
        offers++;
        const form = /<form method="post" action="(\/interaction\/[^"]+\/create-tenant)" class="quiet-form">/.exec(
          page.html,
        )!;
        return browser.follow(form[1]!, {
          form: { _csrf: /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!, skip: 'yes' },
        });
      };
      const first = await signIn(server(), skipper, { browser, onPage: skip });
      assert.deepEqual((first.tokens.claims() as unknown as TenantClaims).all_tenants, []);
      await signIn(server(), skipper, { browser, onPage: skip });
      assert.equal(offers, 2);
    });
  },
  { TENANT_SELF_SERVICE: 'true' },
);
