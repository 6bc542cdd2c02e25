// The last-admin rule under concurrency: two admins acting on each other at the same moment must
// never leave a tenant without a tenant-admin. (On SQLite access is serialised, so this passes
// trivially there; on MariaDB the two changes are real concurrent transactions.)
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { AccountMail } from '../accounts/mail.js';
import { PasswordHasher } from '../accounts/passwords.js';
import { AccountService } from '../accounts/service.js';
import { writeGuard } from '../db/cluster.js';
import { MembershipRole } from '../db/entities/index.js';
import { AppError } from '../errors.js';
import { Renderer } from '../render.js';
import { describeEachDatabase, someoneWaitsForALock } from '../../test/support/databases.js';
import { within } from '../../test/support/waits.js';
import { type Caller, TENANT_ADMIN } from './access.js';
import { MembershipService } from './memberships.js';
import { insertMembership, TenantService } from './service.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };
const ROUNDS = 20;

interface Admin {
  caller: Caller;
  membershipId: string;
}

describeEachDatabase('the last-admin rule under concurrency', [], (db) => {
  let tenants: TenantService;
  let memberships: MembershipService;
  let accounts: AccountService;

  before(() => {
    tenants = new TenantService(db(), false);
    memberships = new MembershipService(db());
    accounts = new AccountService(
      db(),
      new PasswordHasher({ memoryCost: 1024, timeCost: 1 }),
      new AccountMail(new Renderer('http://tessera.test')),
    );
  });

  /** A fresh tenant with exactly two admins, each signed in with the tenants:admin scope. */
  async function tenantWithTwoAdmins(): Promise<{ tenantId: string; a: Admin; b: Admin }> {
    const tenantId = (await tenants.create(backend, { name: `Two admins ${crypto.randomUUID().slice(0, 6)}` })).id;
    const admin = async (): Promise<Admin> => {
      const account = await accounts.createAccount({
        email: `a-${crypto.randomUUID().slice(0, 8)}@example.test`,
        name: 'A',
        password: 'long enough passphrase',
        verified: true,
      });
      const membership = await db().transaction((m) => insertMembership(m, tenantId, account.id, [TENANT_ADMIN], null));
      return {
        caller: { kind: 'user', accountId: account.id, scopes: new Set(['tenants:admin']) },
        membershipId: membership.id,
      };
    };
    return { tenantId, a: await admin(), b: await admin() };
  }

  const demote = (tenantId: string, who: Admin, whom: Admin) =>
    memberships.setRoles(who.caller, tenantId, whom.membershipId, ['tenant-user']);
  const remove = (tenantId: string, who: Admin, whom: Admin) =>
    memberships.remove(who.caller, tenantId, whom.membershipId);
  const leave = (tenantId: string, who: Admin) => memberships.remove(who.caller, tenantId, who.membershipId);

  const interleavings: [string, (tenantId: string, a: Admin, b: Admin) => Promise<unknown>[]][] = [
    ['two admins demote each other', (t, a, b) => [demote(t, a, b), demote(t, b, a)]],
    ['two admins remove each other', (t, a, b) => [remove(t, a, b), remove(t, b, a)]],
    ['two admins both leave', (t, a, b) => [leave(t, a), leave(t, b)]],
    ['one admin demotes the other while that one leaves', (t, a, b) => [demote(t, a, b), leave(t, b)]],
  ];

  for (const [situation, act] of interleavings) {
    test(`${situation} at the same moment, ${ROUNDS} times: a tenant-admin always remains, and the refused one is told why`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { tenantId, a, b } = await tenantWithTwoAdmins();
        const results = await Promise.allSettled(act(tenantId, a, b));
        const admins = await db().read((m) => m.countBy(MembershipRole, { tenantId, role: TENANT_ADMIN }));
        assert.ok(admins >= 1, `round ${round}: ${situation} left the tenant with no tenant-admin`);
        for (const result of results) {
          // The loser is refused as the last admin (409), as no longer an admin (403) or no longer a member (404).
          if (result.status === 'rejected')
            assert.ok(
              result.reason instanceof AppError && [403, 404, 409].includes(result.reason.status),
              String(result.reason),
            );
        }
        assert.ok(
          results.some((r) => r.status === 'fulfilled'),
          `round ${round}: one of the two changes goes through`,
        );
      }
    });
  }

  // On a Galera cluster row locks are node-local: what serialises two changes to one tenant made on two nodes
  // is that both write the tenant's guard row, so certification commits only one (the other runs again).
  test('a change to the admins waits for another change to the tenant that holds its guard row, then commits', {
    timeout: 30_000,
  }, async (t) => {
    if (db().kind !== 'mysql') return t.skip('sql.js runs one transaction at a time');
    const { tenantId, a, b } = await tenantWithTwoAdmins();
    const other = db().dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      await writeGuard(other.manager, `tenant:${tenantId}`);
      let settled = false;
      const demotion = demote(tenantId, a, b).finally(() => {
        settled = true;
      });
      assert.ok(await someoneWaitsForALock(db(), 10_000), 'the demotion waits for the guard row');
      assert.equal(settled, false, 'the demotion did not commit beside the other change');
      await other.commitTransaction();
      await within(10_000, 'the demotion to commit', demotion);
      assert.equal(await db().read((m) => m.countBy(MembershipRole, { tenantId, role: TENANT_ADMIN })), 1);
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await other.release();
    }
  });
});
