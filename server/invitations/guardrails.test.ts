// Who may invite what, the tenant's invitation policy, and bulk creation: through HTTP, on each database.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { AuditEvent } from '../db/entities/index.js';
import { insertMembership } from '../tenants/service.js';
import { apiClient } from '../../test/support/api.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, person, userToken } from '../../test/support/tokens.js';
import type { BulkResult, IssuedInvitation } from './service.js';

type View = IssuedInvitation & { error?: string; error_description?: string };

describeWithServer('Invitations: who may invite what, policy, bulk', (server: () => TestServer) => {
  const { call, tenantWith } = apiClient(server);
  let manage: string;
  let admin: Person;
  let adminToken: string;
  let inviter: Person;
  let inviterToken: string;
  let plain: Person;
  let plainToken: string;

  const base = (tenantId: string) => `/api/tenants/${tenantId}/invitations/tokens`;
  const create = (tenantId: string, body: Record<string, unknown>, token: string) =>
    call<View>('POST', base(tenantId), token, body);

  /** A tenant with an admin, a `recruiter` (a role that may invite) holding recruiter + tenant-user, and a plain user. */
  async function tenantWithInviter(name: string): Promise<string> {
    const tenantId = await tenantWith(manage, name, [admin], [plain]);
    for (const role of ['recruiter', 'auditor'])
      assert.equal((await call('POST', `/api/tenants/${tenantId}/roles`, adminToken, { name: role })).status, 201);
    const flagged = await call('PATCH', `/api/tenants/${tenantId}/roles/recruiter`, adminToken, { can_invite: true });
    assert.equal(flagged.status, 200, JSON.stringify(flagged.body));
    assert.equal(flagged.body.can_invite, true);
    await server().db.transaction((m) => insertMembership(m, tenantId, inviter.id, ['recruiter', 'tenant-user'], null));
    return tenantId;
  }

  before(async () => {
    manage = await clientToken(server(), { manage: true });
    [admin, inviter, plain] = await Promise.all(['Ada', 'Ivo', 'Pia'].map((n) => person(server(), n)));
    [adminToken, inviterToken, plainToken] = await Promise.all(
      [admin, inviter, plain].map((p) => userToken(server(), p)),
    );
  });

  test('a tenant-admin and a tenants:manage backend may grant any role of the catalogue, tenant-admin included', async () => {
    const tenantId = await tenantWithInviter('Anything Inc');
    for (const token of [adminToken, manage]) {
      const res = await create(tenantId, { roles: ['tenant-admin', 'auditor'] }, token);
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
  });

  test('a member whose role may invite grants only roles they hold, never tenant-admin, and sees only their own', async () => {
    const tenantId = await tenantWithInviter('Narrow Inc');
    const own = await create(tenantId, { roles: ['recruiter', 'tenant-user'] }, inviterToken);
    assert.equal(own.status, 201, JSON.stringify(own.body));
    assert.equal(own.body.created_by, inviter.id);
    for (const roles of [['auditor'], ['tenant-admin'], ['tenant-user', 'auditor']]) {
      const refused = await create(tenantId, { roles }, inviterToken);
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      assert.equal(refused.body.error, 'role_not_assignable');
    }
    const theirs = await create(tenantId, { roles: ['auditor'] }, adminToken);
    const listed = await call<{ items: View[] }>('GET', base(tenantId), inviterToken);
    assert.deepEqual(
      listed.body.items.map((i) => i.id),
      [own.body.id],
    );
    assert.equal((await call('GET', `${base(tenantId)}/${theirs.body.id}`, inviterToken)).status, 404);
    assert.equal((await call('DELETE', `${base(tenantId)}/${theirs.body.id}`, inviterToken)).status, 404);
    assert.equal((await call('DELETE', `${base(tenantId)}/${own.body.id}`, inviterToken)).status, 204);
  });

  test('a member without a role that may invite is refused, and so is an inviter once the flag is taken away', async () => {
    const tenantId = await tenantWithInviter('Plain Inc');
    const refused = await create(tenantId, { roles: ['tenant-user'] }, plainToken);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'forbidden');
    await call('PATCH', `/api/tenants/${tenantId}/roles/recruiter`, adminToken, { can_invite: false });
    assert.equal((await create(tenantId, { roles: ['tenant-user'] }, inviterToken)).status, 403);
    const roles = await call<{ items: { name: string; can_invite: boolean }[] }>(
      'GET',
      `/api/tenants/${tenantId}/roles`,
      adminToken,
    );
    assert.ok(roles.body.items.every((r) => r.can_invite === false));
  });

  test('only an admin flags a role; tenant-admin cannot be flagged; a role is created with the flag', async () => {
    const tenantId = await tenantWithInviter('Flags Inc');
    const path = `/api/tenants/${tenantId}/roles`;
    assert.equal((await call('PATCH', `${path}/auditor`, inviterToken, { can_invite: true })).status, 403);
    const admins = await call('PATCH', `${path}/tenant-admin`, adminToken, { can_invite: true });
    assert.equal(admins.status, 422, JSON.stringify(admins.body));
    assert.equal((await call('PATCH', `${path}/nope`, adminToken, { can_invite: true })).status, 404);
    assert.equal((await call('PATCH', `${path}/auditor`, adminToken, {})).status, 400);
    const made = await call('POST', path, adminToken, { name: 'scout', can_invite: true });
    assert.equal(made.status, 201);
    assert.equal(made.body.can_invite, true);
  });

  test('policy: by default a multi-use link may not grant tenant-admin; the policy decides which roles it may', async () => {
    const tenantId = await tenantWithInviter('Policy Inc');
    const policyPath = `/api/tenants/${tenantId}/invitation-policy`;
    assert.deepEqual((await call('GET', policyPath, adminToken)).body, { multi_use_roles: null, approval_roles: [] });
    const many = await create(tenantId, { roles: ['tenant-admin'], max_uses: 5 }, adminToken);
    assert.equal(many.status, 403);
    assert.equal(many.body.error, 'multi_use_not_allowed');
    assert.equal((await create(tenantId, { roles: ['auditor'], max_uses: 5 }, adminToken)).status, 201);

    const set = await call('PUT', policyPath, adminToken, { multi_use_roles: ['tenant-user'] });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal((await create(tenantId, { roles: ['auditor'], max_uses: 5 }, manage)).status, 403);
    assert.equal((await create(tenantId, { roles: ['auditor'], max_uses: 1 }, manage)).status, 201);
    assert.equal((await create(tenantId, { roles: ['tenant-user'], max_uses: 5 }, manage)).status, 201);

    assert.equal((await call('PUT', policyPath, inviterToken, { approval_roles: [] })).status, 403);
    const unknown = await call('PUT', policyPath, adminToken, { approval_roles: ['ghost'] });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.error, 'unknown_role');
    const audited = await server().db.read((m) =>
      m.findOneBy(AuditEvent, { tenantId, type: 'tenant.invitation_policy_set' }),
    );
    assert.ok(audited, 'the change is audited');
  });

  test('bulk: each item gets its own result, in order; a bad item does not stop the others', async () => {
    const tenantId = await tenantWithInviter('Bulk Inc');
    const res = await call<BulkResult>('POST', `${base(tenantId)}/bulk`, inviterToken, {
      invitations: [
        { roles: ['recruiter'] },
        { roles: ['tenant-admin'] },
        { roles: ['tenant-user'], max_uses: 'many' },
        { email: 'someone@example.test', deliver: 'email' },
        { roles: ['ghost'] },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.body.created, 2);
    assert.equal(res.body.failed, 3);
    const outcome = res.body.results.map((r) => (r.status === 'created' ? 'created' : r.error));
    assert.deepEqual(outcome, ['created', 'role_not_assignable', 'invalid_request', 'created', 'unknown_role']);
    assert.deepEqual(
      res.body.results.map((r) => r.index),
      [0, 1, 2, 3, 4],
    );
    const first = res.body.results[0]!;
    assert.ok(first.status === 'created' && first.invitation.token, 'deliver=none: each link once');
  });

  test('bulk: more than 100 is 422; none is 400; a stranger is refused once for the whole call', async () => {
    const tenantId = await tenantWithInviter('Bulk Limits Inc');
    const path = `${base(tenantId)}/bulk`;
    const tooMany = await call('POST', path, manage, { invitations: Array.from({ length: 101 }, () => ({})) });
    assert.equal(tooMany.status, 422);
    assert.equal(tooMany.body.error, 'too_many_invitations');
    assert.equal((await call('POST', path, manage, { invitations: [] })).status, 400);
    const stranger = await userToken(server(), await person(server(), 'Stranger'));
    assert.equal((await call('POST', path, stranger, { invitations: [{}] })).status, 404);
    assert.equal((await call('POST', path, plainToken, { invitations: [{}] })).status, 403);
  });

  test('bulk: the quotas count each item (pending per address), and exactly 100 is fine', async () => {
    const tenantId = await tenantWithInviter('Bulk Quota Inc');
    const path = `${base(tenantId)}/bulk`;
    const hundred = await call<BulkResult>('POST', path, manage, {
      invitations: Array.from({ length: 100 }, () => ({})),
    });
    assert.equal(hundred.status, 200);
    assert.equal(hundred.body.created, 100);
    const same = Array.from({ length: 12 }, () => ({ email: 'same@example.test' }));
    const piled = await call<BulkResult>('POST', path, manage, { invitations: same });
    assert.ok(piled.body.failed > 0, JSON.stringify(piled.body.results.at(-1)));
    assert.ok(piled.body.results.some((r) => r.status === 'failed' && r.error === 'too_many_pending'));
  });
});
