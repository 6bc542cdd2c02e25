// Each stored session, grant, token and finished sign-in knows its account: written by the adapter,
// and filled in by the migration for rows stored before it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.js';
import { OidcPayload } from '../db/entities/index.js';
import { createAdapter, endAccountSessions } from './adapter.js';

describeEachDatabase('the account of each oidc payload', ['oidc_payloads'], (db) => {
  const accountOf = async (model: string, id: string) =>
    (await db().read((m) => m.findOneByOrFail(OidcPayload, { model, id }))).accountId;

  test("the adapter records the account of sessions, tokens and an interaction once signed in; endAccountSessions deletes only that account's rows", async () => {
    const Adapter = createAdapter(db());
    await new Adapter('Session').upsert('s1', { accountId: 'acc-1', loginTs: 1 }, 60);
    await new Adapter('RefreshToken').upsert('r1', { accountId: 'acc-1', grantId: 'g1' }, 60);
    await new Adapter('Grant').upsert('g1', { accountId: 'acc-1' }, 60);
    await new Adapter('Interaction').upsert('i1', { result: { login: { accountId: 'acc-1' } } } as never, 60);
    await new Adapter('Interaction').upsert('i2', { params: {} } as never, 60);
    await new Adapter('Session').upsert('s2', { accountId: 'acc-2', loginTs: 1 }, 60);
    assert.equal(await accountOf('Interaction', 'i1'), 'acc-1');
    assert.equal(await accountOf('Interaction', 'i2'), null, 'a sign-in not yet finished belongs to nobody');

    const forgotten: string[] = [];
    await endAccountSessions(db(), 'acc-1', [async (grantId) => void forgotten.push(grantId)]);
    const left = await db().read((m) => m.find(OidcPayload, { order: { id: 'ASC' } }));
    assert.deepEqual(
      left.map((r) => r.id),
      ['i2', 's2'],
    );
    assert.deepEqual(forgotten, ['g1'], "the grant's hooks ran");
  });

  test('the migration fills in the account of rows stored before it', async () => {
    // Back to before the column (later migrations, if any, are undone first and redone below).
    const hasColumn = () =>
      db().read(async (m) => {
        const runner = m.connection.createQueryRunner();
        try {
          return await runner.hasColumn('oidc_payloads', 'account_id');
        } finally {
          await runner.release();
        }
      });
    for (let undone = 0; await hasColumn(); undone++) {
      assert.ok(undone < 100, 'the account_id migration was not undone');
      await db().dataSource.undoLastMigration({ transaction: 'each' });
    }
    try {
      await db().read((m) =>
        m.query('INSERT INTO oidc_payloads (model, id, payload) VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)', [
          'Session',
          'old-s',
          JSON.stringify({ accountId: 'acc-9' }),
          'Interaction',
          'old-i',
          JSON.stringify({ session: { accountId: 'acc-9' } }),
          'Client',
          'x',
          'not json',
        ]),
      );
    } finally {
      await db().migrate();
    }
    assert.equal(await accountOf('Session', 'old-s'), 'acc-9');
    assert.equal(await accountOf('Interaction', 'old-i'), 'acc-9');
    assert.equal(await accountOf('Client', 'x'), null);
  });
});
