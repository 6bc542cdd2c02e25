// Access that ends and where memberships came from, through HTTP with real tokens, on each database: the
// invitation options, the membership's source and ends in the API, an admin's change, and the next refresh.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as oidc from 'openid-client';
import { apiClient } from '../../test/support/api.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, person, signIn } from '../../test/support/tokens.js';
import { Membership, MembershipRole } from '../db/entities/index.js';
import { eventOfAudit } from '../webhooks/events.js';
import type { TenantClaims } from './claims.js';

interface Grant {
  role: string;
  expires_at: string | null;
  ended: boolean;
  source: { type: string; invitation_id: string | null; jti: string | null; granted_by: string | null };
}
interface MembershipReply {
  id: string;
  roles: string[];
  access_expires_at: string | null;
  ended: boolean;
  source: Grant['source'];
  role_grants: Grant[];
}

const DAY = 24 * 3600;

describeWithServer('access that ends, through the Management API and tokens', (server: () => TestServer) => {
  let manage: string;
  let tenantId: string;
  const { call } = apiClient(server);

  before(async () => {
    manage = await clientToken(server(), { manage: true });
    tenantId = (await call<{ id: string }>('POST', '/api/tenants', manage, { name: 'Temporary Ltd' })).body.id;
  });

  const invite = (body: Record<string, unknown>) =>
    call<{ id: string; token: string; access_expires_in: number | null; renews: boolean; error?: string }>(
      'POST',
      `/api/tenants/${tenantId}/invitations/tokens`,
      manage,
      { deliver: 'none', ...body },
    );
  const membershipOf = async (accountId: string) =>
    (
      await call<{ items: MembershipReply[] }>(
        'GET',
        `/api/tenants/${tenantId}/memberships?account_id=${accountId}`,
        manage,
      )
    ).body.items[0]!;

  test('an invitation takes access_expires_in or access_expires_at (one, in the future, within five years)', async () => {
    const ok = await invite({ access_expires_in: 30 * DAY, renews: true });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.access_expires_in, 30 * DAY);
    assert.equal(ok.body.renews, true);
    const soon = new Date(Date.now() + 60_000).toISOString();
    const far = new Date(Date.now() + 6 * 365 * DAY * 1000).toISOString();
    const inTenDays = new Date(Date.now() + 10 * DAY * 1000).toISOString();
    for (const body of [
      { access_expires_in: 30, access_expires_at: undefined },
      { access_expires_in: 6 * 365 * DAY },
      { access_expires_at: '2001-01-01T00:00:00Z' },
      { access_expires_at: far },
      { access_expires_at: 'tomorrow' },
      { access_expires_in: DAY, access_expires_at: inTenDays },
    ])
      assert.equal((await invite(body)).status, 400, JSON.stringify(body));
    assert.equal((await invite({ access_expires_at: soon })).status, 422, 'ends before the invitation expires');
  });

  test('accepted: the API shows the source with its jti and the ends; the next refresh after the end drops the tenant', async () => {
    const who = await person(server(), 'Contractor');
    const issued = await invite({ email: who.email, access_expires_in: 14 * DAY });
    await server().tessera.redemption.accept({ token: issued.body.token }, who.id);
    const membership = await membershipOf(who.id);
    assert.equal(membership.source.type, 'invitation');
    assert.equal(membership.source.invitation_id, issued.body.id);
    assert.match(membership.source.jti ?? '', /^[0-9a-f-]{36}$/);
    assert.match(membership.source.granted_by ?? '', /^client:/, 'the backend that invited');
    assert.ok(membership.access_expires_at);
    assert.equal(membership.role_grants[0]?.expires_at, membership.access_expires_at);

    const { tokens, rp } = await signIn(server(), who);
    const tenantsIn = (t: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers) =>
      (t.claims() as unknown as TenantClaims).all_tenants.map((x) => x.tenant_id);
    assert.deepEqual(tenantsIn(tokens), [tenantId]);
    const past = new Date(Date.now() - 1000);
    await server().db.write((m) => m.update(MembershipRole, { membershipId: membership.id }, { expiresAt: past }));
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    assert.deepEqual(tenantsIn(refreshed), [], 'gone at the next issuance');
    assert.equal('active_tenant' in refreshed.claims()!, false);
    assert.equal((await membershipOf(who.id)).ended, true);

    const extended = await call<MembershipReply>(
      'PATCH',
      `/api/tenants/${tenantId}/memberships/${membership.id}`,
      manage,
      { access_expires_at: null, role_expirations: { 'tenant-user': null } },
    );
    assert.equal(extended.status, 200);
    assert.deepEqual([extended.body.ended, extended.body.access_expires_at], [false, null]);
    const again = await oidc.refreshTokenGrant(rp, refreshed.refresh_token!);
    assert.deepEqual(tenantsIn(again), [tenantId], 'extended: back at the next refresh');
  });

  test('PATCH checks its shape: at least one field, ISO times, roles the member holds', async () => {
    const who = await person(server(), 'Shape');
    const issued = await invite({ email: who.email });
    await server().tessera.redemption.accept({ token: issued.body.token }, who.id);
    const { id } = await server().db.read((m) => m.findOneByOrFail(Membership, { tenantId, accountId: who.id }));
    const patch = (body: unknown) => call('PATCH', `/api/tenants/${tenantId}/memberships/${id}`, manage, body);
    assert.equal((await patch({})).status, 400);
    assert.equal((await patch({ access_expires_at: 'next week' })).status, 400);
    assert.equal((await patch({ role_expirations: { 'tenant-admin': null } })).status, 422);
    const ends = new Date(Date.now() + 5 * DAY * 1000).toISOString();
    const ok = await patch({ role_expirations: { 'tenant-user': ends } });
    assert.equal(ok.status, 200);
  });

  test('the end of access is a webhook event, with the membership and the role', () => {
    const event = eventOfAudit({
      type: 'membership.access_ended',
      actor: 'system',
      tenantId: 't',
      subject: 'a',
      data: { membership_id: 'm', roles: ['tenant-user'] },
    });
    assert.deepEqual(event, {
      type: 'membership.access_ended',
      tenantId: 't',
      data: { tenant_id: 't', account_id: 'a', membership_id: 'm', roles: ['tenant-user'], actor: 'system' },
    });
  });
});
