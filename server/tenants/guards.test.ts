// The self-service tenant cap on a cluster: the account's row lock is node-local there, so a create also
// writes the person's guard row, and certification lets only one of two creates on two nodes commit.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { AccountMail } from '../accounts/mail.js';
import { PasswordHasher } from '../accounts/passwords.js';
import { AccountService } from '../accounts/service.js';
import { recordAudit } from '../db/audit.js';
import { writeGuard } from '../db/cluster.js';
import { AppError } from '../errors.js';
import { Renderer } from '../render.js';
import { describeEachDatabase, someoneWaitsForALock } from '../../test/support/databases.js';
import { within } from '../../test/support/waits.js';
import type { Caller } from './access.js';
import { TenantService } from './service.js';

describeEachDatabase('the self-service tenant cap and its guard row', [], (db) => {
  let accounts: AccountService;
  before(() => {
    accounts = new AccountService(
      db(),
      new PasswordHasher({ memoryCost: 1024, timeCost: 1 }),
      new AccountMail(new Renderer('http://tessera.test')),
    );
  });

  test('a person’s create waits for their create under way elsewhere (its guard row held), then is refused at the cap', {
    timeout: 30_000,
  }, async (t) => {
    if (db().kind !== 'mysql') return t.skip('sql.js runs one transaction at a time');
    const tenants = new TenantService(db(), true, 1);
    const account = await accounts.createAccount({
      email: `cap-${crypto.randomUUID().slice(0, 8)}@example.test`,
      name: 'Cap',
      password: 'long enough passphrase',
      verified: true,
    });
    const caller: Caller = { kind: 'user', accountId: account.id, scopes: new Set(['tenants:admin']) };
    // The same person's first create, through another node: it wrote their guard row and is about to commit.
    const other = db().dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      await writeGuard(other.manager, `tenants-created-by:${account.id}`);
      await recordAudit(other.manager, { type: 'tenant.created', actor: account.id });
      let settled = false;
      const second = tenants.create(caller, { name: 'Second' }).finally(() => {
        settled = true;
      });
      second.catch(() => {}); // awaited below
      assert.ok(await someoneWaitsForALock(db(), 10_000), 'the second create waits for the guard row');
      assert.equal(settled, false, 'the second create did not commit beside the first');
      await other.commitTransaction();
      await assert.rejects(within(10_000, 'the second create to answer', second), (e: unknown) => {
        assert.ok(e instanceof AppError && e.code === 'tenant_limit_reached', String(e));
        return true;
      });
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await other.release();
    }
  });
});
