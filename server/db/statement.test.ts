// Fixed statements read and write what TypeORM would, on both databases: dates, booleans and nulls come back
// as the entity's types, writes say how many rows they changed, and a transaction's statements roll back with it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.js';
import { Account, OidcPayload } from './entities/index.js';
import { findOneFixed, runStatement } from './statement.js';

describeEachDatabase('fixed statements', ['accounts', 'oidc_payloads'], (db) => {
  const account = (over: Partial<Account> = {}): Account => ({
    id: crypto.randomUUID(),
    email: `p-${crypto.randomUUID()}@example.test`,
    emailVerified: true,
    phone: null,
    phoneVerified: false,
    name: 'Pat',
    locale: null,
    createdAt: new Date('2026-01-02T03:04:05.000Z'),
    updatedAt: new Date('2026-01-02T03:04:05.000Z'),
    termsVersion: null,
    termsAcceptedAt: null,
    disabledAt: new Date('2026-05-06T07:08:09.000Z'),
    ...over,
  });

  test('findOneFixed returns the entity TypeORM returns, with its dates, booleans and nulls', async () => {
    const saved = account();
    await db().write((m) => m.insert(Account, saved));
    const fixed = await db().read((m) => findOneFixed(m, Account, { id: saved.id }));
    const typeorm = await db().read((m) => m.findOneBy(Account, { id: saved.id }));
    assert.ok(fixed instanceof Account);
    assert.deepEqual(fixed, typeorm);
    assert.equal(fixed.emailVerified, true);
    assert.equal(fixed.phoneVerified, false);
    assert.equal(fixed.phone, null);
    assert.equal(fixed.disabledAt?.toISOString(), '2026-05-06T07:08:09.000Z');
  });

  test('findOneFixed finds nothing for an unknown key, and matches on every column it is given', async () => {
    const saved = account();
    await db().write((m) => m.insert(Account, saved));
    assert.equal(await db().read((m) => findOneFixed(m, Account, { id: crypto.randomUUID() })), null);
    assert.equal(await db().read((m) => findOneFixed(m, Account, { id: saved.id, email: 'other@example.test' })), null);
    assert.equal(
      (await db().read((m) => findOneFixed(m, Account, { id: saved.id, email: saved.email })))?.id,
      saved.id,
    );
  });

  test('a write says how many rows it changed; date parameters compare like the stored dates', async () => {
    const row = { model: 'Probe', payload: '{}', expiresAt: new Date(Date.now() + 60_000) };
    await db().write((m) =>
      m.insert(OidcPayload, [
        { ...row, id: 'a' },
        { ...row, id: 'b' },
      ]),
    );
    const spend = () =>
      db().write((m) =>
        runStatement(m, 'UPDATE oidc_payloads SET consumed_at = :now WHERE model = :model AND consumed_at IS NULL', {
          now: new Date(),
          model: 'Probe',
        }),
      );
    assert.equal((await spend()).affected, 2);
    assert.equal((await spend()).affected, 0, 'nothing left to spend');
    const { rows } = await db().read((m) =>
      runStatement<{ id: string }>(m, 'SELECT id FROM oidc_payloads WHERE model = :model AND expires_at > :now', {
        model: 'Probe',
        now: new Date(),
      }),
    );
    assert.deepEqual(rows.map((r) => r.id).sort(), ['a', 'b']);
  });

  test("a statement in a transaction runs on the transaction's connection and rolls back with it", async () => {
    const saved = account();
    await db().write((m) => m.insert(Account, saved));
    await assert.rejects(
      db().transaction(async (m) => {
        const renamed = await runStatement(m, 'UPDATE accounts SET name = :name WHERE id = :id', {
          name: 'Renamed',
          id: saved.id,
        });
        assert.equal(renamed.affected, 1);
        assert.equal((await findOneFixed(m, Account, { id: saved.id }))?.name, 'Renamed', 'seen inside');
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.equal((await db().read((m) => findOneFixed(m, Account, { id: saved.id })))?.name, 'Pat');
  });
});
