// Access that ends and where it came from, through the services, on each database: an invitation's end on
// the roles it grants, renewal, an admin's extension, claims read at issuance, and the once-only announcement.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { AccountService } from '../accounts/service.js';
import { AuditEvent, Membership, MembershipRole } from '../db/entities/index.js';
import type { RedemptionService } from '../invitations/redemption.js';
import type { InvitationService, NewInvitation } from '../invitations/service.js';
import { describeEachDatabase } from '../../test/support/databases.js';
import { invitationServices } from '../../test/support/services.js';
import type { Caller } from './access.js';
import { recordEndedAccess } from './access-ended.js';
import { TenantDirectory } from './claims.js';
import { MembershipService } from './memberships.js';
import { TenantService } from './service.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };
const DAY = 24 * 3600;
const inDays = (days: number, from = Date.now()) => new Date(Math.floor(from / 1000) * 1000 + days * DAY * 1000);

describeEachDatabase('access that ends, and where it came from', [], (db) => {
  let invitations: InvitationService;
  let redemption: RedemptionService;
  let accounts: AccountService;
  let tenants: TenantService;
  let directory: TenantDirectory;
  let memberships: MembershipService;

  before(async () => {
    ({ invitations, redemption, accounts, tenants } = await invitationServices(db()));
    directory = new TenantDirectory(db());
    memberships = new MembershipService(db());
  });

  const newTenant = async () => (await tenants.create(backend, { name: `T ${crypto.randomUUID().slice(0, 6)}` })).id;
  const newAccount = async () =>
    (
      await accounts.createAccount({
        email: `p-${crypto.randomUUID().slice(0, 8)}@example.test`,
        name: 'P',
        password: 'long enough passphrase',
        verified: true,
      })
    ).id;
  const accept = async (tenantId: string, accountId: string, input: Partial<NewInvitation> = {}) => {
    const issued = await invitations.create(backend, tenantId, { roles: ['tenant-user'], deliver: 'none', ...input });
    return { issued, decided: await redemption.accept({ token: issued.token! }, accountId) };
  };
  const membershipOf = (tenantId: string, accountId: string) =>
    db().read((m) => m.findOneByOrFail(Membership, { tenantId, accountId }));
  const roleRow = async (tenantId: string, accountId: string, role: string) =>
    db().read(async (m) =>
      m.findOneByOrFail(MembershipRole, { membershipId: (await membershipOf(tenantId, accountId)).id, role }),
    );
  const tenantIn = async (accountId: string, tenantId: string, now?: Date) =>
    (await directory.membershipsOf(accountId, now)).find((x) => x.tenant_id === tenantId);

  test('an invitation with access_expires_in: the roles and the membership end then, and say which invitation granted them', async () => {
    const tenantId = await newTenant();
    const accountId = await newAccount();
    const { issued } = await accept(tenantId, accountId, { accessExpiresIn: 30 * DAY });
    const membership = await membershipOf(tenantId, accountId);
    const role = await roleRow(tenantId, accountId, 'tenant-user');
    const end = role.expiresAt!.getTime();
    assert.ok(Math.abs(end - inDays(30).getTime()) <= 2000, 'thirty days from acceptance');
    assert.equal(membership.expiresAt?.getTime(), end);
    for (const row of [membership, role]) {
      assert.equal(row.source, 'invitation');
      assert.equal(row.sourceRef, issued.id);
      assert.equal(row.grantedBy, 'client:backend');
      assert.match(row.sourceJti ?? '', /^[0-9a-f-]{36}$/);
    }
    assert.deepEqual((await tenantIn(accountId, tenantId))?.roles, ['tenant-user']);
    assert.equal(await tenantIn(accountId, tenantId, new Date(end)), undefined, 'gone at the very moment it ends');
    assert.ok(await tenantIn(accountId, tenantId, new Date(end - 1000)), 'still there a second before');
  });

  test('a role past its end leaves the claims; the membership stays while another role is current', async () => {
    const tenantId = await newTenant();
    await tenants.createRole(backend, tenantId, { name: 'auditor' });
    const accountId = await newAccount();
    await accept(tenantId, accountId, { roles: ['tenant-user'] });
    await accept(tenantId, accountId, { roles: ['auditor'], accessExpiresIn: 3600 });
    const end = (await roleRow(tenantId, accountId, 'auditor')).expiresAt!;
    assert.deepEqual((await tenantIn(accountId, tenantId))?.roles, ['auditor', 'tenant-user']);
    assert.deepEqual((await tenantIn(accountId, tenantId, end))?.roles, ['tenant-user']);
  });

  test('the sweep records membership.access_ended once per ended role, even with two sweeps at once', async () => {
    const tenantId = await newTenant();
    const accountId = await newAccount();
    await accept(tenantId, accountId, { accessExpiresIn: 3600 });
    const later = inDays(1);
    const [a, b] = await Promise.all([recordEndedAccess(db(), later), recordEndedAccess(db(), later)]);
    assert.ok(a + b >= 2);
    const events = await db().read((m) => m.findBy(AuditEvent, { type: 'membership.access_ended', tenantId }));
    assert.equal(events.length, 2, 'one for the role, one for the membership');
    assert.equal(await recordEndedAccess(db(), later), 0, 'nothing twice');
  });

  test('a renewal moves the end of held roles later, never earlier; a renewal for someone new just grants', async () => {
    const tenantId = await newTenant();
    const accountId = await newAccount();
    await accept(tenantId, accountId, { accessExpiresIn: 10 * DAY });
    const renewed = await accept(tenantId, accountId, { accessExpiresIn: 90 * DAY, renews: true });
    assert.equal(renewed.decided.outcome, 'extended');
    const end = (await roleRow(tenantId, accountId, 'tenant-user')).expiresAt!.getTime();
    assert.ok(Math.abs(end - inDays(90).getTime()) <= 2000);
    assert.equal((await membershipOf(tenantId, accountId)).expiresAt?.getTime(), end, 'the membership too');
    const shorter = await accept(tenantId, accountId, { accessExpiresIn: 5 * DAY, renews: true });
    assert.equal(shorter.decided.outcome, 'already_member', 'an earlier end changes nothing');
    assert.equal((await roleRow(tenantId, accountId, 'tenant-user')).expiresAt!.getTime(), end);
    const stranger = await newAccount();
    const joined = await accept(tenantId, stranger, { accessExpiresIn: 7 * DAY, renews: true });
    assert.equal(joined.decided.outcome, 'joined');
  });

  test('two renewals accepted at the same moment: the later end stays, whichever commits last', async () => {
    const tenantId = await newTenant();
    const accountId = await newAccount();
    await accept(tenantId, accountId, { accessExpiresIn: 10 * DAY });
    const issue = (days: number) =>
      invitations.create(backend, tenantId, {
        roles: ['tenant-user'],
        deliver: 'none',
        accessExpiresIn: days * DAY,
        renews: true,
      });
    const [long, short] = await Promise.all([issue(90), issue(60)]);
    const results = await Promise.allSettled([
      redemption.accept({ token: long.token! }, accountId),
      redemption.accept({ token: short.token! }, accountId),
    ]);
    assert.ok(results.some((r) => r.status === 'fulfilled'));
    const end = (await roleRow(tenantId, accountId, 'tenant-user')).expiresAt!.getTime();
    if (results[0].status === 'fulfilled') assert.ok(Math.abs(end - inDays(90).getTime()) <= 2000, 'the later end');
    assert.ok(end >= inDays(60).getTime() - 2000, 'never the earlier one over a later');
  });

  test('without renews, an invitation does not touch an end still to come; a role that ended is granted again', async () => {
    const tenantId = await newTenant();
    const accountId = await newAccount();
    await accept(tenantId, accountId, { accessExpiresIn: 10 * DAY });
    const again = await accept(tenantId, accountId, { accessExpiresIn: 90 * DAY });
    assert.equal(again.decided.outcome, 'already_member');
    const { membershipId } = await roleRow(tenantId, accountId, 'tenant-user');
    await db().write((m) => m.update(MembershipRole, { membershipId }, { expiresAt: inDays(-1) }));
    await db().write((m) => m.update(Membership, { id: membershipId }, { expiresAt: inDays(-1) }));
    assert.equal(await tenantIn(accountId, tenantId), undefined, 'ended');
    const back = await accept(tenantId, accountId, {});
    assert.equal(back.decided.outcome, 'extended');
    assert.deepEqual((await tenantIn(accountId, tenantId))?.roles, ['tenant-user'], 'granted again, with no end');
    assert.equal((await membershipOf(tenantId, accountId)).expiresAt, null);
  });

  test('an admin extends a role, ends the membership, and removes an end; the view shows source and ends', async () => {
    const tenantId = await newTenant();
    const accountId = await newAccount();
    await accept(tenantId, accountId, { accessExpiresIn: 10 * DAY });
    const { membershipId } = await roleRow(tenantId, accountId, 'tenant-user');
    const view = await memberships.update(backend, tenantId, membershipId, {
      roleExpirations: { 'tenant-user': inDays(60) },
      accessExpiresAt: null,
    });
    assert.equal(view.role_grants[0]?.expires_at, inDays(60).toISOString());
    assert.equal(view.access_expires_at, null);
    assert.equal(view.source.type, 'invitation');
    assert.equal(view.role_grants[0]?.source.invitation_id, view.invitation_id);
    assert.equal(view.ended, false);
    const ended = await memberships.update(backend, tenantId, membershipId, { accessExpiresAt: inDays(-1) });
    assert.equal(ended.ended, true);
    await assert.rejects(
      memberships.update(backend, tenantId, membershipId, { roleExpirations: { 'tenant-admin': null } }),
      (e: Error & { code?: string }) => e.code === 'role_not_held',
    );
    const audit = await db().read((m) =>
      m.findBy(AuditEvent, { type: 'membership.updated', tenantId, subject: accountId }),
    );
    assert.ok(audit.some((e) => JSON.stringify(e).includes('role_expirations')));
  });

  test("roles an admin adds are the admin's; kept roles keep their source", async () => {
    const tenantId = await newTenant();
    const accountId = await newAccount();
    await accept(tenantId, accountId);
    const { membershipId } = await roleRow(tenantId, accountId, 'tenant-user');
    const view = await memberships.update(backend, tenantId, membershipId, { roles: ['tenant-user', 'tenant-admin'] });
    const admin = view.role_grants.find((r) => r.role === 'tenant-admin')!;
    assert.deepEqual([admin.source.type, admin.source.granted_by], ['admin', 'client:backend']);
    assert.equal(view.role_grants.find((r) => r.role === 'tenant-user')!.source.type, 'invitation');
  });

  test('a fixed access end before the invitation itself expires is refused', async () => {
    const tenantId = await newTenant();
    await assert.rejects(
      invitations.create(backend, tenantId, {
        roles: ['tenant-user'],
        deliver: 'none',
        accessExpiresAt: inDays(2).toISOString(),
      }),
      (e: Error & { code?: string }) => e.code === 'access_ends_too_soon',
    );
  });

  test('the last tenant-admin cannot be given an end: someone must stay admin', async () => {
    const accountId = await newAccount();
    const me: Caller = { kind: 'user', accountId, scopes: new Set(['tenants:admin']) };
    const tenantId = (await new TenantService(db(), true).create(me, { name: 'Solo' })).id;
    const { membershipId } = await roleRow(tenantId, accountId, 'tenant-admin');
    const lastAdmin = (e: Error & { code?: string }) => e.code === 'last_admin';
    await assert.rejects(
      memberships.update(me, tenantId, membershipId, { roleExpirations: { 'tenant-admin': inDays(30) } }),
      lastAdmin,
    );
    await assert.rejects(memberships.update(me, tenantId, membershipId, { accessExpiresAt: inDays(30) }), lastAdmin);
    const view = await memberships.update(me, tenantId, membershipId, { roleExpirations: { 'tenant-admin': null } });
    assert.equal(view.role_grants[0]?.expires_at, null, 'removing an end is always allowed');
  });

  test('whoever makes a tenant for themselves is its admin by self-service; an ended admin role administers nothing', async () => {
    const accountId = await newAccount();
    const me: Caller = { kind: 'user', accountId, scopes: new Set(['tenants:admin']) };
    const tenantId = (await new TenantService(db(), true).create(me, { name: 'Mine' })).id;
    const role = await roleRow(tenantId, accountId, 'tenant-admin');
    assert.equal(role.source, 'self_service');
    await db().write((m) => m.update(MembershipRole, { membershipId: role.membershipId }, { expiresAt: inDays(-1) }));
    await assert.rejects(
      memberships.list(me, tenantId, { limit: 5 }),
      (e: Error & { code?: string }) => e.code === 'tenant_not_found',
    );
  });
});
