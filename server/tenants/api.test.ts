// The Management API for tenants, roles and memberships, through HTTP with real tokens, on each database.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { AuditEvent } from '../db/entities/index.js';
import { apiClient, type Reply } from '../../test/support/api.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, person, signIn, userToken } from '../../test/support/tokens.js';

describeWithServer('Management API: tenants, roles, memberships', (server: () => TestServer) => {
  let manage: string;
  let plainClient: string;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let aliceToken: string;
  let bobToken: string;
  let carolToken: string;

  const client = apiClient(server);
  const call = client.call;
  /** A tenant created by the backend, with the given people as members (first one admin). */
  const tenantWith = (name: string, admins: Person[], users: Person[] = []) =>
    client.tenantWith(manage, name, admins, users);

  const membershipOf = async (tenantId: string, who: Person) =>
    (
      await call<{ items: { id: string; roles: string[] }[] }>(
        'GET',
        `/api/tenants/${tenantId}/memberships?account_id=${who.id}`,
        manage,
      )
    ).body.items[0]!;

  before(async () => {
    manage = await clientToken(server(), { manage: true });
    plainClient = await clientToken(server(), { manage: false });
    [alice, bob, carol] = await Promise.all([
      person(server(), 'Alice'),
      person(server(), 'Bob'),
      person(server(), 'Carol'),
    ]);
    [aliceToken, bobToken, carolToken] = await Promise.all([alice, bob, carol].map((p) => userToken(server(), p)));
  });

  test('a tenants:manage backend creates a tenant with no admin: 201, Location, slug from the name, built-in roles', async () => {
    const res = await fetch(`${server().url}/api/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manage}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ünïcode Éxample & Co', attributes: { plan: 'gold', seats: 5 } }),
    });
    assert.equal(res.status, 201);
    const tenant = (await res.json()) as { id: string; slug: string; attributes: unknown };
    assert.equal(res.headers.get('location'), `${server().url}/api/tenants/${tenant.id}`);
    assert.equal(tenant.slug, 'unicode-example-co');
    assert.deepEqual(tenant.attributes, { plan: 'gold', seats: 5 });
    const roles = await call<{ items: { name: string; builtin: boolean }[] }>(
      'GET',
      `/api/tenants/${tenant.id}/roles`,
      manage,
    );
    assert.deepEqual(
      roles.body.items.map((r) => [r.name, r.builtin]),
      [
        ['tenant-admin', true],
        ['tenant-user', true],
      ],
    );
    const members = await call<{ items: unknown[] }>('GET', `/api/tenants/${tenant.id}/memberships`, manage);
    assert.deepEqual(members.body.items, []);
  });

  test('a duplicate slug is 409 slug_taken; a name-derived slug gets a suffix instead', async () => {
    assert.equal((await call('POST', '/api/tenants', manage, { name: 'Dup', slug: 'dup-co' })).status, 201);
    const again = await call('POST', '/api/tenants', manage, { name: 'Dup', slug: 'dup-co' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'slug_taken');
    const derived = await call<{ slug: string }>('POST', '/api/tenants', manage, { name: 'Dup Co' });
    assert.match(derived.body.slug, /^dup-co-[0-9a-f]{6}$/);
  });

  test('without a token 401; with a forged, expired-looking or wrong-audience token 401', async () => {
    assert.equal((await call('GET', '/api/tenants')).status, 401);
    const [h, p] = manage.split('.');
    for (const bad of [
      'garbage',
      `${h}.${p}.AAAA`,
      `${h}.${Buffer.from('{"sub":"x"}').toString('base64url')}.${manage.split('.')[2]}`,
    ]) {
      const res = await call('GET', '/api/tenants', bad);
      assert.equal(res.status, 401, bad.slice(0, 20));
      assert.equal(res.body.error, 'invalid_token');
    }
    const { tokens } = await signIn(server(), alice, { scope: 'openid' });
    assert.equal(
      (await call('GET', '/api/tenants', tokens.id_token)).status,
      401,
      'an ID token is not an access token',
    );
  });

  test('a client without the tenants:manage flag sees nothing: 403 to list or create, 404 for a tenant', async () => {
    const tenantId = await tenantWith('Hidden', [alice]);
    assert.equal((await call('GET', '/api/tenants', plainClient)).status, 403);
    assert.equal((await call('POST', '/api/tenants', plainClient, { name: 'No' })).status, 403);
    assert.equal((await call('GET', `/api/tenants/${tenantId}`, plainClient)).status, 404);
  });

  test('a tenant-admin reads and changes their tenant; a tenant-user reads it only; others get 404', async () => {
    const tenantId = await tenantWith('Alice Inc', [alice], [bob]);
    assert.equal((await call('GET', `/api/tenants/${tenantId}`, aliceToken)).status, 200);
    assert.equal((await call('GET', `/api/tenants/${tenantId}`, bobToken)).status, 200);
    const patched = await call<{ name: string; slug: string }>('PATCH', `/api/tenants/${tenantId}`, aliceToken, {
      name: 'Alice Ltd',
      slug: 'alice-ltd',
    });
    assert.equal(patched.status, 200);
    assert.deepEqual([patched.body.name, patched.body.slug], ['Alice Ltd', 'alice-ltd']);
    const denied = await call('PATCH', `/api/tenants/${tenantId}`, bobToken, { name: 'Bob Ltd' });
    assert.equal(denied.status, 403);
    assert.equal((await call('GET', `/api/tenants/${tenantId}/memberships`, bobToken)).status, 403);
    assert.equal((await call('GET', `/api/tenants/${tenantId}`, carolToken)).status, 404, 'no tenant enumeration');
    assert.equal((await call('PATCH', `/api/tenants/${tenantId}`, carolToken, { name: 'x' })).status, 404);
  });

  test('a user lists only the tenants they belong to', async () => {
    const mine = await tenantWith('Listed for Carol', [carol]);
    const notMine = await tenantWith('Not for Carol', [alice]);
    const ids = (await call<{ items: { id: string }[] }>('GET', '/api/tenants', carolToken)).body.items.map(
      (t) => t.id,
    );
    assert.ok(ids.includes(mine));
    assert.ok(!ids.includes(notMine));
    const all = (await call<{ items: { id: string }[] }>('GET', '/api/tenants?limit=100', manage)).body.items.map(
      (t) => t.id,
    );
    assert.ok(all.includes(mine) && all.includes(notMine), 'the backend sees every tenant');
  });

  test('a user token without the tenants:admin scope is 403 for a tenant they belong to', async () => {
    const tenantId = await tenantWith('Scoped', [alice]);
    const forUserinfo = (await signIn(server(), alice, { scope: 'openid' })).tokens.access_token;
    assert.equal(
      (await call('GET', `/api/tenants/${tenantId}`, forUserinfo)).status,
      401,
      'an access token for userinfo is not for this API',
    );
    const apiNoScope = (await signIn(server(), alice, { scope: 'openid', api: true })).tokens.access_token;
    const res = await call('GET', `/api/tenants/${tenantId}`, apiNoScope);
    assert.equal(res.status, 403);
    assert.equal(res.body.error, 'insufficient_scope');
  });

  test('self-service tenant creation is off by default: a user gets 403', async () => {
    assert.equal((await call('POST', '/api/tenants', aliceToken, { name: 'Mine' })).status, 403);
  });

  test('roles: add a custom role, refuse a duplicate, refuse removing a built-in one, and removing one in use needs force', async () => {
    const tenantId = await tenantWith('Roles Inc', [alice], [bob]);
    const added = await call('POST', `/api/tenants/${tenantId}/roles`, aliceToken, {
      name: 'billing',
      description: 'Sees invoices',
    });
    assert.equal(added.status, 201);
    assert.equal((await call('POST', `/api/tenants/${tenantId}/roles`, aliceToken, { name: 'billing' })).status, 409);
    assert.equal(
      (await call('DELETE', `/api/tenants/${tenantId}/roles/tenant-user`, aliceToken)).body.error,
      'builtin_role',
    );
    const bobs = await membershipOf(tenantId, bob);
    assert.equal(
      (
        await call('PATCH', `/api/tenants/${tenantId}/memberships/${bobs.id}`, aliceToken, {
          roles: ['tenant-user', 'billing'],
        })
      ).status,
      200,
    );
    const inUse = await call('DELETE', `/api/tenants/${tenantId}/roles/billing`, aliceToken);
    assert.equal(inUse.status, 409);
    assert.equal(inUse.body.error, 'role_in_use');
    assert.equal((await call('DELETE', `/api/tenants/${tenantId}/roles/billing?force=true`, aliceToken)).status, 204);
    assert.deepEqual((await membershipOf(tenantId, bob)).roles, ['tenant-user']);
  });

  test('memberships: roles must come from the catalogue (422), and the last tenant-admin cannot be demoted or removed (409)', async () => {
    const tenantId = await tenantWith('Last Admin Inc', [alice], [bob]);
    const alices = await membershipOf(tenantId, alice);
    const unknown = await call('PATCH', `/api/tenants/${tenantId}/memberships/${alices.id}`, aliceToken, {
      roles: ['tenant-admin', 'wizard'],
    });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.error, 'unknown_role');
    const demote = await call('PATCH', `/api/tenants/${tenantId}/memberships/${alices.id}`, aliceToken, {
      roles: ['tenant-user'],
    });
    assert.equal(demote.status, 409);
    assert.equal(demote.body.error, 'last_admin');
    assert.equal(
      (await call('DELETE', `/api/tenants/${tenantId}/memberships/${alices.id}`, aliceToken)).body.error,
      'last_admin',
    );
    assert.equal(
      (await call('DELETE', `/api/tenants/${tenantId}/memberships/${alices.id}`, manage)).status,
      409,
      'not even the backend',
    );
    const bobs = await membershipOf(tenantId, bob);
    assert.equal(
      (await call('PATCH', `/api/tenants/${tenantId}/memberships/${bobs.id}`, aliceToken, { roles: ['tenant-admin'] }))
        .status,
      200,
    );
    assert.equal(
      (await call('PATCH', `/api/tenants/${tenantId}/memberships/${alices.id}`, aliceToken, { roles: ['tenant-user'] }))
        .status,
      200,
      'with a second admin she may step down',
    );
  });

  test('a member may leave (delete their own membership), but not remove someone else', async () => {
    const tenantId = await tenantWith('Leavers', [alice], [bob, carol]);
    const carols = await membershipOf(tenantId, carol);
    assert.equal((await call('DELETE', `/api/tenants/${tenantId}/memberships/${carols.id}`, bobToken)).status, 403);
    const bobs = await membershipOf(tenantId, bob);
    assert.equal((await call('DELETE', `/api/tenants/${tenantId}/memberships/${bobs.id}`, bobToken)).status, 204);
    assert.equal((await call('GET', `/api/tenants/${tenantId}`, bobToken)).status, 404, 'gone for him now');
  });

  test('membership listing: search by name or e-mail, account_id, and cursor pagination that visits everyone once', async () => {
    const people = await Promise.all(Array.from({ length: 5 }, (_, i) => person(server(), `Member${i}`)));
    const tenantId = await tenantWith('Big Team', [alice], [...people, bob]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Reply<{ items: { account: { id: string } }[]; next_cursor: string | null }> = await call(
        'GET',
        `/api/tenants/${tenantId}/memberships?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        aliceToken,
      );
      assert.ok(page.body.items.length <= 2);
      seen.push(...page.body.items.map((i) => i.account.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7);
    const byName = await call<{ items: { account: { name: string } }[] }>(
      'GET',
      `/api/tenants/${tenantId}/memberships?search=member3`,
      aliceToken,
    );
    assert.deepEqual(
      byName.body.items.map((i) => i.account.name),
      ['Member3'],
    );
    const byEmail = await call<{ items: unknown[] }>(
      'GET',
      `/api/tenants/${tenantId}/memberships?search=${encodeURIComponent(bob.email.slice(0, 12))}`,
      aliceToken,
    );
    assert.equal(byEmail.body.items.length, 1);
    const wildcard = await call<{ items: unknown[] }>(
      'GET',
      `/api/tenants/${tenantId}/memberships?search=%25`,
      aliceToken,
    );
    assert.equal(wildcard.body.items.length, 0, '% is searched literally');
  });

  test('bad input is 400 with a message naming the field: wrong types, unknown fields, oversized strings, bad UUIDs, bad JSON', async () => {
    const tenantId = await tenantWith('Validation', [alice]);
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/api/tenants', { name: 42 }, /name/],
      ['POST', '/api/tenants', { name: 'ok', owner: 'me' }, /owner/],
      ['POST', '/api/tenants', { name: 'x'.repeat(201) }, /name: at most 200/],
      ['POST', '/api/tenants', { name: 'ok', slug: 'Not A Slug' }, /slug/],
      ['POST', '/api/tenants', { name: 'ok', attributes: { big: 'x'.repeat(20_000) } }, /16 KiB/],
      ['POST', '/api/tenants', '{"name":', /JSON/i],
      ['GET', '/api/tenants/not-a-uuid', undefined, /tenantId: expected a UUID/],
      ['GET', '/api/tenants?limit=1000', undefined, /limit/],
      ['GET', '/api/tenants?cursor=bogus', undefined, /cursor/],
      ['PATCH', `/api/tenants/${tenantId}`, {}, /at least one/],
      ['POST', `/api/tenants/${tenantId}/roles`, { name: 'Has Spaces' }, /role name/],
      ['PATCH', `/api/tenants/${tenantId}/memberships/123`, { roles: [] }, /membershipId: expected a UUID/],
      ['GET', `/api/tenants/${tenantId}/memberships?account_id=bob`, undefined, /account_id/],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await call(method, path, manage, body);
      assert.equal(
        res.status,
        400,
        `${method} ${path} ${JSON.stringify(body)?.slice(0, 40)} -> ${res.status} ${JSON.stringify(res.body)}`,
      );
      assert.match(String(res.body.error_description), message);
    }
  });

  test('the API speaks JSON only: a form body is 415, a wrong method is a JSON 405, answers are not cached', async () => {
    const form = await fetch(`${server().url}/api/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manage}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Form+Co',
    });
    assert.equal(form.status, 415);
    const put = await fetch(`${server().url}/api/tenants`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${manage}` },
    });
    assert.equal(put.status, 405);
    assert.equal(((await put.json()) as { error: string }).error, 'method_not_allowed');
    assert.match(put.headers.get('allow') ?? '', /GET/);
    const list = await fetch(`${server().url}/api/tenants`, { headers: { authorization: `Bearer ${manage}` } });
    assert.equal(list.headers.get('cache-control'), 'no-store');
  });

  test('Management API access tokens live 15 minutes, for backends and for people', async () => {
    for (const token of [manage, aliceToken]) {
      const { exp, iat } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
        exp: number;
        iat: number;
      };
      assert.equal(exp - iat, 900);
    }
  });

  test('removing a role that is not in the catalogue is 404', async () => {
    const tenantId = await tenantWith('No Such Role', [alice]);
    const res = await call('DELETE', `/api/tenants/${tenantId}/roles/ghost`, aliceToken);
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'role_not_found');
  });

  test('an unknown tenant is 404, a deleted tenant is 404 everywhere and its slug stays taken', async () => {
    assert.equal((await call('GET', `/api/tenants/${crypto.randomUUID()}`, manage)).status, 404);
    const created = await call<{ id: string }>('POST', '/api/tenants', manage, { name: 'Doomed', slug: 'doomed' });
    assert.equal((await call('DELETE', `/api/tenants/${created.body.id}`, manage)).status, 204);
    assert.equal((await call('GET', `/api/tenants/${created.body.id}`, manage)).status, 404);
    assert.equal((await call('DELETE', `/api/tenants/${created.body.id}`, manage)).status, 404);
    assert.equal((await call('POST', '/api/tenants', manage, { name: 'Doomed', slug: 'doomed' })).status, 409);
  });

  test('every change writes an audit event naming who did it', async () => {
    const tenantId = await tenantWith('Audited', [alice], [bob]);
    await call('POST', `/api/tenants/${tenantId}/roles`, aliceToken, { name: 'auditor' });
    const bobs = await membershipOf(tenantId, bob);
    await call('PATCH', `/api/tenants/${tenantId}/memberships/${bobs.id}`, aliceToken, { roles: ['auditor'] });
    const events = await server().db.read((m) => m.find(AuditEvent, { where: { tenantId }, order: { at: 'ASC' } }));
    const types = events.map(
      (e) => `${e.type}:${e.actor?.startsWith('client:') ? 'client' : e.actor === alice.id ? 'alice' : e.actor}`,
    );
    for (const expected of ['tenant.created:client', 'role.created:alice', 'membership.updated:alice'])
      assert.ok(types.includes(expected), `${expected} in ${types}`);
  });
});

describeWithServer(
  'Management API with TENANT_SELF_SERVICE=true',
  (server: () => TestServer) => {
    test('a user creates a tenant and becomes its tenant-admin', async () => {
      const dana = await person(server(), 'Dana');
      const token = await userToken(server(), dana);
      const res = await fetch(`${server().url}/api/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Dana Co' }),
      });
      assert.equal(res.status, 201);
      const { id } = (await res.json()) as { id: string };
      const members = (await (
        await fetch(`${server().url}/api/tenants/${id}/memberships`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as {
        items: { account: { id: string }; roles: string[] }[];
      };
      assert.deepEqual(
        members.items.map((i) => [i.account.id, i.roles]),
        [[dana.id, ['tenant-admin']]],
      );
    });
  },
  { TENANT_SELF_SERVICE: 'true' },
);
