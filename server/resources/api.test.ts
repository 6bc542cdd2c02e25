// The Management API's role -> permission mapping, through HTTP with real tokens, on each database.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { apiClient } from '../../test/support/api.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, person, userToken } from '../../test/support/tokens.js';
import { AuditEvent } from '../db/entities/index.js';

interface Mapping {
  items: {
    resource: { id: string; audience: string; permissions: string[] };
    roles: { role: string; permissions: string[]; builtin: boolean }[];
  }[];
}

describeWithServer('Management API: role permissions of API resources', (server: () => TestServer) => {
  const { call, tenantWith } = apiClient(server);
  let manage: string;
  let admin: Person;
  let user: Person;
  let adminToken: string;
  let userTokenValue: string;
  let tenantId: string;
  let resourceId: string;

  before(async () => {
    manage = await clientToken(server(), { manage: true });
    [admin, user] = await Promise.all([person(server(), 'Admin'), person(server(), 'User')]);
    [adminToken, userTokenValue] = await Promise.all([userToken(server(), admin), userToken(server(), user)]);
    tenantId = await tenantWith(manage, 'Mapped', [admin], [user]);
    resourceId = (
      await server().tessera.resources.create({
        audience: 'https://billing.example',
        name: 'Billing',
        permissions: ['billing:read', 'billing:write'],
      })
    ).id;
  });

  const path = (role: string) => `/api/tenants/${tenantId}/permissions/${resourceId}/roles/${role}`;
  const billing = (m: Mapping) => m.items.find((i) => i.resource.id === resourceId)!;

  test('by default tenant-admin holds every permission and tenant-user none', async () => {
    const res = await call<Mapping>('GET', `/api/tenants/${tenantId}/permissions`, adminToken);
    assert.equal(res.status, 200);
    assert.deepEqual(billing(res.body).roles, [
      { role: 'tenant-admin', permissions: ['billing:read', 'billing:write'], builtin: true },
      { role: 'tenant-user', permissions: [], builtin: false },
    ]);
  });

  test('a tenant-admin gives tenant-user a permission: 200, audited, and the mapping shows it', async () => {
    const res = await call('PUT', path('tenant-user'), adminToken, { permissions: ['billing:read', 'billing:read'] });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { role: 'tenant-user', permissions: ['billing:read'], builtin: false });
    const after = await call<Mapping>('GET', `/api/tenants/${tenantId}/permissions`, userTokenValue);
    assert.deepEqual(billing(after.body).roles[1]!.permissions, ['billing:read'], 'a member may read the mapping');
    const audit = await server().db.read((m) =>
      m.findOneBy(AuditEvent, { type: 'tenant.role_permissions_set', tenantId }),
    );
    assert.equal(audit?.actor, admin.id);
  });

  test('a tenant-user may not change it (403); an outsider sees no tenant (404); no token is 401', async () => {
    const outsider = await userToken(server(), await person(server(), 'Outsider'));
    assert.equal((await call('PUT', path('tenant-user'), userTokenValue, { permissions: [] })).status, 403);
    assert.equal((await call('PUT', path('tenant-user'), outsider, { permissions: [] })).status, 404);
    assert.equal((await call('GET', `/api/tenants/${tenantId}/permissions`, outsider)).status, 404);
    assert.equal((await call('PUT', path('tenant-user'), undefined, { permissions: [] })).status, 401);
  });

  test('tenant-admin is built in (409); an unknown role or permission is 422; an unknown resource 404', async () => {
    assert.equal((await call('PUT', path('tenant-admin'), adminToken, { permissions: [] })).status, 409);
    assert.equal((await call('PUT', path('auditor'), adminToken, { permissions: [] })).status, 422);
    const unknown = await call('PUT', path('tenant-user'), adminToken, { permissions: ['billing:delete'] });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.error, 'unknown_permission');
    const noResource = `/api/tenants/${tenantId}/permissions/${crypto.randomUUID()}/roles/tenant-user`;
    assert.equal((await call('PUT', noResource, adminToken, { permissions: [] })).status, 404);
    assert.equal((await call('PUT', path('tenant-user'), adminToken, { permissions: ['has space'] })).status, 400);
  });

  test('a tenants:manage backend may set the mapping of any tenant', async () => {
    const res = await call('PUT', path('tenant-user'), manage, { permissions: [] });
    assert.equal(res.status, 200);
  });

  test('the routes and their schemas are in the OpenAPI document', async () => {
    const doc = (await call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/api/openapi.json')).body;
    assert.ok(doc.paths['/api/tenants/{tenantId}/permissions']?.get);
    assert.ok(doc.paths['/api/tenants/{tenantId}/permissions/{resourceId}/roles/{role}']?.put);
  });

  test('removing a permission from the resource removes it from every mapping', async () => {
    await call('PUT', path('tenant-user'), adminToken, { permissions: ['billing:read', 'billing:write'] });
    await server().tessera.resources.update('https://billing.example', { permissions: ['billing:write'] });
    const res = await call<Mapping>('GET', `/api/tenants/${tenantId}/permissions`, adminToken);
    assert.deepEqual(billing(res.body).roles[1]!.permissions, ['billing:write']);
  });

  test('a role taken out of the catalogue takes its permissions along; re-created, it holds none', async () => {
    assert.equal((await call('POST', `/api/tenants/${tenantId}/roles`, adminToken, { name: 'auditor' })).status, 201);
    assert.equal((await call('PUT', path('auditor'), adminToken, { permissions: ['billing:write'] })).status, 200);
    assert.equal((await call('DELETE', `/api/tenants/${tenantId}/roles/auditor`, adminToken)).status, 204);
    assert.equal((await call('POST', `/api/tenants/${tenantId}/roles`, adminToken, { name: 'auditor' })).status, 201);
    const res = await call<Mapping>('GET', `/api/tenants/${tenantId}/permissions`, adminToken);
    assert.deepEqual(billing(res.body).roles.find((r) => r.role === 'auditor')?.permissions, []);
  });
});
