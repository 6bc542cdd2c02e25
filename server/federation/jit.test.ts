// Just-in-time membership through a tenant's connection, on both databases: the mapping is set through the
// Management API (roles of the catalogue only, a tenant's connection only); the first sign-in makes the
// person a member with the roles their upstream groups map to (the default roles when none maps), and every
// later sign-in applies the mapping again: mapped roles follow the groups, roles an admin gave stay, and the
// last tenant-admin keeps that role.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AuditEvent, Membership, MembershipRole } from '../db/entities/index.js';
import type { TenantClaims } from '../tenants/claims.js';
import { apiClient } from '../../test/support/api.js';
import { FEDERATION_ENV, startAppSignIn, tokensAt, viaUpstream } from '../../test/support/federation.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, person } from '../../test/support/tokens.js';
import { insertMembership } from '../tenants/service.js';
import { startOidcUpstream, type Upstream } from '../../test/support/upstream.js';
import { UserAgent } from '../../test/support/user-agent.js';

describeWithServer(
  'Federation: just-in-time membership through a tenant’s connection',
  (server: () => TestServer) => {
    let up: Upstream;
    let manage: string;
    let tenantId: string;
    const { call, tenantWith } = apiClient(server);
    const slug = 'acme-sso';
    const mapping = {
      default_roles: ['tenant-user'],
      group_roles: { engineering: ['developer'], 'it-admins': ['tenant-admin'] },
    };

    before(async () => {
      up = await startOidcUpstream([`${server().url}/connections/${slug}/callback`]);
      manage = await clientToken(server(), { manage: true });
      tenantId = await tenantWith(manage, 'Acme');
      for (const name of ['developer', 'billing'])
        assert.equal((await call('POST', `/api/tenants/${tenantId}/roles`, manage, { name })).status, 201);
    });
    after(() => up.close());

    /** Signs `login` in through the tenant's connection (offered with tenant_hint); returns the tenant claims. */
    async function signInAs(login: string, groups: string[]) {
      up.people.set(login, { name: login, groups });
      const browser = new UserAgent(server().url);
      const { page, rp, verifier } = await startAppSignIn(server(), browser, { params: { tenant_hint: tenantId } });
      const back = await viaUpstream(browser, page, `/connection/${slug}`, login);
      const tokens = await tokensAt(rp, back, verifier);
      return { sub: tokens.claims()!.sub, claims: tokens.claims() as unknown as TenantClaims };
    }

    const rolesOf = async (accountId: string) => {
      const membership = await server().db.read((m) => m.findOneBy(Membership, { tenantId, accountId }));
      if (!membership) return undefined;
      const rows = await server().db.read((m) => m.findBy(MembershipRole, { membershipId: membership.id }));
      return rows.map((r) => r.role).sort();
    };

    test('the mapping is set through the Management API: roles of the catalogue only, on a tenant’s connection only', async () => {
      const base = `/api/tenants/${tenantId}/connections`;
      const input = { slug, kind: 'oidc', name: 'Acme SSO', issuer: up.url, client_id: up.clientId };
      const unknown = await call<{ error: string }>('POST', base, manage, {
        ...input,
        client_secret: up.clientSecret,
        membership: { group_roles: { x: ['no-such-role'] } },
      });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.error, 'unknown_role');
      const bad = await call<{ error: string }>('POST', base, manage, {
        ...input,
        membership: { group_roles: { x: [] } },
      });
      assert.equal(bad.status, 400, 'a group must give a role');

      const created = await call<{ membership: unknown }>('POST', base, manage, {
        ...input,
        client_secret: up.clientSecret,
        membership: mapping,
      });
      assert.equal(created.status, 201);
      assert.deepEqual(created.body.membership, mapping);

      await assert.rejects(
        server().tessera.connections.create(
          { kind: 'operator' },
          { ...input, slug: 'global-jit', kind: 'oidc', membership: mapping },
        ),
        (error: { code?: string }) => error.code === 'membership_needs_tenant',
      );
    });

    test('the first sign-in makes the person a member with the roles their groups map to; the tokens carry the tenant', async () => {
      const { sub, claims } = await signInAs('dev-1', ['engineering', 'unmapped-group']);
      assert.deepEqual(await rolesOf(sub), ['developer']);
      assert.equal(claims.active_tenant?.tenant_id, tenantId);
      assert.deepEqual(claims.active_tenant?.roles, ['developer']);
    });

    test('no mapped group: the default roles', async () => {
      const { sub } = await signInAs('plain-1', ['marketing']);
      assert.deepEqual(await rolesOf(sub), ['tenant-user']);
    });

    test('every sign-in applies the mapping again: mapped roles follow the groups, a role an admin gave stays', async () => {
      const { sub } = await signInAs('mover-1', ['engineering']);
      const membership = await server().db.read((m) => m.findOneByOrFail(Membership, { tenantId, accountId: sub }));
      const set = await call('PATCH', `/api/tenants/${tenantId}/memberships/${membership.id}`, manage, {
        roles: ['developer', 'billing'],
      });
      assert.equal(set.status, 200);

      await signInAs('mover-1', []);
      assert.deepEqual(await rolesOf(sub), ['billing', 'tenant-user'], 'developer follows the group; billing stays');
      const audit = await server().db.read((m) =>
        m.findBy(AuditEvent, { tenantId, subject: sub, type: 'membership.updated' }),
      );
      assert.ok(
        audit.some(
          (e) => /"removed_roles":\["developer"\]/.test(e.data ?? '') && /"idp":"acme-sso"/.test(e.data ?? ''),
        ),
        'the change is audited with the connection',
      );

      await signInAs('mover-1', ['engineering']);
      assert.deepEqual(
        await rolesOf(sub),
        ['billing', 'developer'],
        'back in the group: the default goes, developer returns',
      );
    });

    test('the last tenant-admin keeps that role when their group no longer gives it', async () => {
      const { sub } = await signInAs('boss-1', ['it-admins']);
      assert.deepEqual(await rolesOf(sub), ['tenant-admin']);
      await signInAs('boss-1', []);
      assert.deepEqual(await rolesOf(sub), ['tenant-admin', 'tenant-user'], 'the only admin stays one');
    });

    // Last: it adds a second tenant-admin, which the test above must not have.
    test('the tenant admin page sets the mapping from typed lines, shows a bad line on the page, and turns it off', async () => {
      const admin = await person(server(), 'Ada');
      await server().db.transaction((m) => insertMembership(m, tenantId, admin.id, ['tenant-admin'], null));
      const browser = new UserAgent(server().url);
      const home = `/tenants/${tenantId}/manage`;
      let page = await browser.follow(home);
      page = await browser.submit(page, /\/login$/, { email: admin.email, password: admin.password });
      assert.match(page.html, /Membership: people who sign in through it join/);
      const action = /\/connections\/[0-9a-f-]+\/membership$/;

      const bad = await browser.submit(page, action, {
        jit: 'yes',
        default_roles: 'tenant-user',
        group_roles: 'no equals sign',
      });
      assert.equal(bad.status, 400);
      assert.match(bad.html, /Write each group as &quot;group = role, role&quot;: no equals sign/);
      const unknown = await browser.submit(page, action, { jit: 'yes', default_roles: 'ghost', group_roles: '' });
      assert.equal(unknown.status, 422);
      assert.match(unknown.html, /Not roles of this tenant: ghost/);

      const saved = await browser.submit(page, action, {
        jit: 'yes',
        default_roles: 'tenant-user',
        group_roles: 'engineering = developer, billing\r\nfinance = billing\r\n',
      });
      assert.match(saved.html, /The membership rules are saved/);
      assert.match(saved.html, /engineering = developer, billing\nfinance = billing/);
      const stored = await call<{ items: { membership: unknown }[] }>(
        'GET',
        `/api/tenants/${tenantId}/connections`,
        manage,
      );
      assert.deepEqual(stored.body.items[0]!.membership, {
        default_roles: ['tenant-user'],
        group_roles: { engineering: ['developer', 'billing'], finance: ['billing'] },
      });

      const off = await browser.submit(saved, action, { default_roles: '', group_roles: '' });
      assert.match(off.html, /Membership: off/);
    });
  },
  FEDERATION_ENV,
);
