import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.js';
import { listKeys, loadKeys, PREVIOUS_KEY_RETENTION_MS, retireKeys, rotateKeys } from './keys.js';

describeEachDatabase('signing keys', ['signing_keys'], (db) => {
  test('the first start generates one current ES256 and one current RS256 key; later starts load the same', async () => {
    const first = await loadKeys(db());
    assert.deepEqual(first.keys.map((k) => `${k.alg}:${k.status}`).sort(), ['ES256:current', 'RS256:current']);
    const second = await loadKeys(db());
    assert.deepEqual(second.keys.map((k) => k.kid).sort(), first.keys.map((k) => k.kid).sort());
  });

  test('two instances starting at the same moment agree on one key per algorithm', async () => {
    const [a, b] = await Promise.all([loadKeys(db()), loadKeys(db())]);
    assert.equal((await listKeys(db())).length, 2);
    assert.deepEqual(a.keys.map((k) => k.kid).sort(), b.keys.map((k) => k.kid).sort());
  });

  test('rotation introduces next keys that are published for verification only, then promotes them', async () => {
    const before = await loadKeys(db());
    const introduced = await rotateKeys(db());
    assert.equal(introduced.step, 'introduced');
    const midway = await loadKeys(db());
    const jwks = midway.providerJwks().keys as { kid: string; key_ops?: string[] }[];
    assert.equal(jwks.length, 4);
    for (const kid of introduced.kids) assert.deepEqual(jwks.find((k) => k.kid === kid)?.key_ops, ['verify']);
    assert.equal(midway.signing('ES256').kid, before.signing('ES256').kid, 'the old key still signs');

    const promoted = await rotateKeys(db());
    assert.equal(promoted.step, 'promoted');
    const after = await loadKeys(db());
    assert.ok(promoted.kids.includes(after.signing('ES256').kid));
    assert.equal(after.byKid(before.signing('ES256').kid)?.status, 'previous', 'the old key stays published');
  });

  test('retire keeps previous keys younger than the retention period and drops older ones', async () => {
    await loadKeys(db());
    await rotateKeys(db());
    await rotateKeys(db());
    assert.deepEqual(await retireKeys(db()), []);
    const later = new Date(Date.now() + PREVIOUS_KEY_RETENTION_MS + 60_000);
    assert.equal((await retireKeys(db(), { now: later })).length, 2);
    assert.deepEqual(
      (await listKeys(db())).map((k) => k.status),
      ['current', 'current'],
    );
  });
});
