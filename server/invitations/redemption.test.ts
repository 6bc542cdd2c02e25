// Redemption rules and races, through the services, on each database. (On SQLite access is serialised,
// so the races pass trivially there; on MariaDB they are real concurrent transactions.)
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { AccountService } from '../accounts/service.js';
import { AuditEvent, Invitation, InvitationRedemption, Membership, MembershipRole } from '../db/entities/index.js';
import type { Caller } from '../tenants/access.js';
import { insertMembership, type TenantService } from '../tenants/service.js';
import { describeEachDatabase } from '../../test/support/databases.js';
import { invitationServices } from '../../test/support/services.js';
import { InvitationRefused, type RedemptionService } from './redemption.js';
import type { InvitationService, NewInvitation } from './service.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };

describeEachDatabase('invitation redemption', [], (db) => {
  let invitations: InvitationService;
  let redemption: RedemptionService;
  let accounts: AccountService;
  let tenants: TenantService;

  before(async () => {
    ({ invitations, redemption, accounts, tenants } = await invitationServices(db()));
  });

  const newTenant = async () => (await tenants.create(backend, { name: `T ${crypto.randomUUID().slice(0, 6)}` })).id;
  const newAccount = async (email = `p-${crypto.randomUUID().slice(0, 8)}@example.test`, verified = true) =>
    (await accounts.createAccount({ email, name: 'P', password: 'long enough passphrase', verified })).id;
  const invite = async (tenantId: string, input: Partial<NewInvitation> = {}) => {
    const issued = await invitations.create(backend, tenantId, { roles: ['tenant-user'], deliver: 'none', ...input });
    return { id: issued.id, token: issued.token! };
  };
  const members = (tenantId: string) => db().read((m) => m.countBy(Membership, { tenantId }));
  const uses = async (id: string) => (await db().read((m) => m.findOneByOrFail(Invitation, { id }))).useCount;
  const refused = (problem: string) => (error: unknown) =>
    error instanceof InvitationRefused && error.problem === problem;

  test('accepting makes the signed-in subject a member with the roles, counts one use, and records the decision', async () => {
    const tenantId = await newTenant();
    const { id, token } = await invite(tenantId, { roles: ['tenant-admin'] });
    const accountId = await newAccount();
    const decided = await redemption.accept({ token }, accountId);
    assert.equal(decided.outcome, 'joined');
    const membership = await db().read((m) => m.findOneByOrFail(Membership, { tenantId, accountId }));
    assert.equal(membership.invitationId, id);
    assert.deepEqual(
      (await db().read((m) => m.findBy(MembershipRole, { membershipId: membership.id }))).map((r) => r.role),
      ['tenant-admin'],
    );
    assert.equal(await uses(id), 1);
    assert.equal(
      (await db().read((m) => m.findOneByOrFail(InvitationRedemption, { invitationId: id, accountId }))).decision,
      'accepted',
    );
  });

  test('a single-use invitation works once: a second person is refused and nothing changes', async () => {
    const tenantId = await newTenant();
    const { id, token } = await invite(tenantId);
    await redemption.accept({ token }, await newAccount());
    await assert.rejects(redemption.accept({ token }, await newAccount()), refused('used_up'));
    assert.equal(await members(tenantId), 1);
    assert.equal(await uses(id), 1);
  });

  test('already a member with every role: no use is counted; missing roles are added on accept', async () => {
    const tenantId = await newTenant();
    const accountId = await newAccount();
    await db().transaction((m) => insertMembership(m, tenantId, accountId, ['tenant-user'], null));
    const same = await invite(tenantId, { roles: ['tenant-user'] });
    assert.equal((await redemption.accept({ token: same.token }, accountId)).outcome, 'already_member');
    assert.equal(await uses(same.id), 0);
    const more = await invite(tenantId, { roles: ['tenant-user', 'tenant-admin'] });
    assert.equal((await redemption.accept({ token: more.token }, accountId)).outcome, 'extended');
    assert.equal(await members(tenantId), 1);
    assert.equal(await uses(more.id), 1);
  });

  test('revoked, expired, replaced by a resend, tenant deleted, roles removed: each refused with its reason, nothing changes', async () => {
    const tenantId = await newTenant();
    const accountId = await newAccount();
    const revoked = await invite(tenantId);
    await invitations.revoke(backend, tenantId, revoked.id);
    await assert.rejects(redemption.accept({ token: revoked.token }, accountId), refused('revoked'));

    const expired = await invite(tenantId);
    await db().write((m) => m.update(Invitation, { id: expired.id }, { expiresAt: new Date(Date.now() - 1000) }));
    await assert.rejects(redemption.accept({ token: expired.token }, accountId), refused('expired'));

    const resent = await invite(tenantId);
    const fresh = await invitations.resend(backend, tenantId, resent.id);
    await assert.rejects(redemption.accept({ token: resent.token }, accountId), refused('replaced'));

    await tenants.createRole(backend, tenantId, { name: 'temp' });
    const roleGone = await invite(tenantId, { roles: ['temp'] });
    await tenants.deleteRole(backend, tenantId, 'temp', false);
    await assert.rejects(redemption.accept({ token: roleGone.token }, accountId), refused('roles_gone'));

    await tenants.remove(backend, tenantId);
    await assert.rejects(redemption.accept({ token: fresh.token! }, accountId), refused('tenant_gone'));
    assert.equal(await members(tenantId), 0);
    const audit = await db().read((m) => m.findBy(AuditEvent, { type: 'invitation.refused', actor: accountId }));
    assert.deepEqual(audit.map((a) => JSON.parse(a.data!).why).sort(), [
      'expired',
      'replaced',
      'revoked',
      'roles_gone',
      'tenant_gone',
    ]);
  });

  test('a bound invitation: only the account whose verified e-mail matches may accept or decline', async () => {
    const tenantId = await newTenant();
    const email = `bound-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const { token } = await invite(tenantId, { email: email.toUpperCase() });
    await assert.rejects(redemption.accept({ token }, await newAccount()), refused('wrong_account'));
    await assert.rejects(redemption.decline({ token }, await newAccount()), refused('wrong_account'));
    await assert.rejects(redemption.accept({ token }, await newAccount(`x${email}`, true)), refused('wrong_account'));
    const unverifiedSameAddress = await accounts.createAccount({
      email: `Other.${email}`,
      name: 'U',
      password: 'long enough passphrase',
      verified: false,
    });
    await assert.rejects(redemption.accept({ token }, unverifiedSameAddress.id), refused('wrong_account'));
    assert.equal((await redemption.accept({ token }, await newAccount(email))).outcome, 'joined');
  });

  test('declining a bound invitation ends it; declining an open link leaves it open for others and may become an accept', async () => {
    const tenantId = await newTenant();
    const email = `decliner-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const owner = await newAccount(email);
    const bound = await invite(tenantId, { email });
    await redemption.decline({ token: bound.token }, owner);
    await assert.rejects(redemption.accept({ token: bound.token }, owner), refused('declined'));

    const open = await invite(tenantId, { maxUses: 2 });
    const undecided = await newAccount();
    await redemption.decline({ token: open.token }, undecided);
    assert.equal((await redemption.accept({ token: open.token }, await newAccount())).outcome, 'joined');
    assert.equal((await redemption.accept({ token: open.token }, undecided)).outcome, 'joined');
    const decision = await db().read((m) =>
      m.findOneByOrFail(InvitationRedemption, { invitationId: open.id, accountId: undecided }),
    );
    assert.equal(decision.decision, 'accepted');
  });

  test('pending invitations of an account: bound to its verified e-mail, not decided, not already satisfied', async () => {
    const tenantId = await newTenant();
    const email = `review-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const accountId = await newAccount(email);
    const first = await invite(tenantId, { email });
    await invite(await newTenant(), { email: `someone-else-${email}` });
    await invite(tenantId);
    assert.deepEqual(
      (await redemption.pendingFor(accountId)).items.map((i) => i.id),
      [first.id],
    );
    await redemption.accept({ id: first.id }, accountId);
    assert.deepEqual(await redemption.pendingFor(accountId), { items: [], more: false });
    const unverified = await newAccount(`u-${email}`, false);
    await invite(tenantId, { email: `u-${email}` });
    assert.deepEqual(
      await redemption.pendingFor(unverified),
      { items: [], more: false },
      'an unverified e-mail proves nothing',
    );
  });

  test('race: 50 accounts accept one single-use invitation at once: exactly one membership, one use', async () => {
    const tenantId = await newTenant();
    const { id, token } = await invite(tenantId);
    const people = await Promise.all(Array.from({ length: 50 }, () => newAccount()));
    const results = await Promise.allSettled(people.map((p) => redemption.accept({ token }, p)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.ok(results.every((r) => r.status === 'fulfilled' || refused('used_up')(r.reason)));
    assert.equal(await members(tenantId), 1);
    assert.equal(await uses(id), 1);
  });

  test('race: 50 accounts accept an invitation with max_uses=5 at once: exactly five memberships', async () => {
    const tenantId = await newTenant();
    const { id, token } = await invite(tenantId, { maxUses: 5 });
    const people = await Promise.all(Array.from({ length: 50 }, () => newAccount()));
    const results = await Promise.allSettled(people.map((p) => redemption.accept({ token }, p)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
    assert.equal(await members(tenantId), 5);
    assert.equal(await uses(id), 5);
  });

  test('race: the same account accepts twice at once: one membership, one use', async () => {
    const tenantId = await newTenant();
    const { id, token } = await invite(tenantId, { maxUses: 5 });
    const accountId = await newAccount();
    const results = await Promise.all([
      redemption.accept({ token }, accountId),
      redemption.accept({ token }, accountId),
    ]);
    assert.deepEqual(results.map((r) => r.outcome).sort(), ['already_member', 'joined']);
    assert.equal(await members(tenantId), 1);
    assert.equal(await uses(id), 1);
  });
});
