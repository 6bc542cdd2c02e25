// The operator rules on each database: one setup link for instances starting together, single use, expiry,
// the bootstrap e-mail, and the last operator kept under concurrent removals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Operator, OperatorSetupLink } from '../db/entities/index.js';
import { describeEachDatabase } from '../../test/support/databases.js';
import { invitationServices, TEST_ISSUER } from '../../test/support/services.js';
import { OperatorService, SETUP_LINK_TTL_MS } from './service.js';

const tokenOf = (url: string) => url.slice(`${TEST_ISSUER}/setup/`.length);

describeEachDatabase('operators', ['operators', 'operator_setup_links', 'credentials', 'accounts'], (db) => {
  const account = async (name: string) => {
    const { accounts } = await invitationServices(db());
    const email = `${name}-${crypto.randomUUID().slice(0, 8)}@example.test`;
    return {
      id: (await accounts.createAccount({ email, name, password: 'long enough pass', verified: true })).id,
      email,
    };
  };

  test('instances starting together with no operator issue exactly one setup link; the others print nothing', async () => {
    const operators = new OperatorService(db(), TEST_ISSUER);
    const starts = await Promise.all(Array.from({ length: 5 }, () => operators.firstStart()));
    assert.equal(starts.filter((s) => s.kind === 'link_issued').length, 1);
    assert.equal(starts.filter((s) => s.kind === 'link_pending').length, 4);
    assert.equal(await db().read((m) => m.count(OperatorSetupLink)), 1);
  });

  test('a setup link makes one operator, once; another account cannot use it again', async () => {
    const operators = new OperatorService(db(), TEST_ISSUER);
    const start = await operators.firstStart();
    assert.equal(start.kind, 'link_issued');
    const token = tokenOf(start.kind === 'link_issued' ? start.link.url : '');
    const [first, second] = [await account('first'), await account('second')];
    assert.equal(await operators.setupLinkWorks(token), true);
    const results = await Promise.all([
      operators.redeemSetupLink(token, first.id),
      operators.redeemSetupLink(token, second.id),
    ]);
    assert.deepEqual(results.sort(), [false, true]);
    assert.equal(await operators.count(), 1);
    assert.equal(await operators.setupLinkWorks(token), false);
    assert.equal((await operators.firstStart()).kind, 'has_operators');
    await assert.rejects(operators.issueSetupLink(), { status: 409 });
  });

  test('an expired link does not work, and the next start issues a new one', async () => {
    let now = new Date();
    const operators = new OperatorService(db(), TEST_ISSUER, () => now);
    const start = await operators.firstStart();
    const token = tokenOf(start.kind === 'link_issued' ? start.link.url : '');
    now = new Date(now.getTime() + SETUP_LINK_TTL_MS + 1000);
    assert.equal(await operators.setupLinkWorks(token), false);
    assert.equal(await operators.redeemSetupLink(token, (await account('late')).id), false);
    assert.equal((await operators.firstStart()).kind, 'link_issued');
  });

  test('a new link from the CLI ends the one printed before', async () => {
    const operators = new OperatorService(db(), TEST_ISSUER);
    const start = await operators.firstStart();
    const old = tokenOf(start.kind === 'link_issued' ? start.link.url : '');
    const fresh = tokenOf((await operators.issueSetupLink()).url);
    assert.equal(await operators.setupLinkWorks(old), false);
    assert.equal(await operators.setupLinkWorks(fresh), true);
  });

  test('TESSERA_BOOTSTRAP_ADMIN_EMAIL makes the account that signs in with it the first operator, and no link', async () => {
    const operators = new OperatorService(db(), TEST_ISSUER);
    const boss = await account('boss');
    const start = await operators.firstStart(boss.email.toUpperCase());
    assert.deepEqual(start, { kind: 'bootstrapped', accountId: boss.id });
    assert.equal(await db().read((m) => m.count(OperatorSetupLink)), 0);
  });

  test('two operators removing each other at once leave one operator', async () => {
    const operators = new OperatorService(db(), TEST_ISSUER);
    const [a, b] = [await account('a'), await account('b')];
    await operators.grant('test', { accountId: a.id });
    await operators.grant('test', { email: b.email });
    const results = await Promise.allSettled([operators.revoke(b.id, a.id), operators.revoke(a.id, b.id)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal((refused.reason as { code: string }).code, 'last_operator');
    assert.equal(await db().read((m) => m.count(Operator)), 1);
  });
});
