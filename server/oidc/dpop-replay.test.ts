// The DPoP replay store: one use per proof, on every database, under concurrency, and rows that go away once useless.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.js';
import { DpopProof } from '../db/entities/index.js';
import { DpopReplayStore } from './dpop-replay.js';

describeEachDatabase('DPoP replay store', ['dpop_proofs'], (db) => {
  const start = new Date('2026-01-01T12:00:00Z');
  const later = (seconds: number) => new Date(start.getTime() + seconds * 1000);
  const rows = () => db().read((m) => m.count(DpopProof));

  test('a proof is accepted once per key; the same jti under another key is another proof', async () => {
    const store = new DpopReplayStore(db(), () => start);
    assert.equal(await store.firstUse('key-a', 'jti-1', later(61)), true);
    assert.equal(await store.firstUse('key-a', 'jti-1', later(61)), false);
    assert.equal(await store.firstUse('key-b', 'jti-1', later(61)), true);
  });

  test('twenty instances racing with the same proof: exactly one wins', async () => {
    const stores = Array.from({ length: 20 }, () => new DpopReplayStore(db(), () => start));
    const results = await Promise.all(stores.map((s) => s.firstUse('key-a', 'raced', later(61))));
    assert.equal(results.filter(Boolean).length, 1);
  });

  test('rows whose proofs can no longer pass the freshness check are deleted, the others kept', async () => {
    let now = start;
    const store = new DpopReplayStore(db(), () => now);
    await store.firstUse('key-a', 'old', later(10));
    await store.firstUse('key-a', 'young', later(100));
    assert.equal(await rows(), 2);
    now = later(61); // a minute on: the next use purges on its way
    await store.firstUse('key-a', 'new', later(121));
    assert.equal(await rows(), 2, 'old is gone, young and new stay');
    assert.equal(await store.firstUse('key-a', 'young', later(100)), false, 'a kept row still refuses its replay');
  });
});
