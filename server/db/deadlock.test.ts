// A transaction InnoDB rolls back as a deadlock victim is run again, so a lock cycle costs time, not a 500.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.js';
import { Secret } from './entities/index.js';

describeEachDatabase('deadlocks', ['secrets'], (db) => {
  test('two transactions that lock two rows in opposite order both commit', { timeout: 30_000 }, async (t) => {
    if (db().kind !== 'mysql') return t.skip('sql.js runs one transaction at a time');
    await db().write((m) =>
      m.insert(Secret, [
        { name: 'a', value: '0', createdAt: new Date() },
        { name: 'b', value: '0', createdAt: new Date() },
      ]),
    );
    // Each holds its first row until the other holds its own: the first attempt deadlocks, a retry does not wait.
    let arrive!: () => void;
    const bothHold = new Promise<void>((resolve) => {
      let count = 0;
      arrive = () => ++count === 2 && resolve();
    });
    const crossing = (first: string, second: string) =>
      db().transaction(async (m) => {
        await m.query('UPDATE secrets SET value = value + 1 WHERE name = ?', [first]);
        arrive();
        await Promise.race([bothHold, new Promise((resolve) => setTimeout(resolve, 2000))]);
        await m.query('UPDATE secrets SET value = value + 1 WHERE name = ?', [second]);
      });
    await Promise.all([crossing('a', 'b'), crossing('b', 'a')]);
    const rows = await db().read((m) => m.find(Secret, { order: { name: 'ASC' } }));
    assert.deepEqual(
      rows.map((r) => [r.name, Number(r.value)]),
      [
        ['a', 2],
        ['b', 2],
      ],
    );
  });
});
