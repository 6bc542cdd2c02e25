// Secrets at rest: sealed under the configured key, one key per purpose, bound to their row, rotatable,
// and a key generated at first start when none is configured.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.js';
import { loadSealingKeys, SecretBox } from './sealing.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);
const box = (keys: string[]) => new SecretBox(keys, 'webhook-secrets');

test('a sealed secret opens with the same key for the same row, and does not show the secret', () => {
  const sealed = box([KEY_A]).seal('whsec_c2VjcmV0', 'endpoint-1');
  assert.ok(!sealed.includes('whsec_') && !sealed.includes('c2VjcmV0'));
  assert.equal(box([KEY_A]).open(sealed, 'endpoint-1'), 'whsec_c2VjcmV0');
  assert.notEqual(box([KEY_A]).seal('whsec_c2VjcmV0', 'endpoint-1'), sealed, 'a fresh nonce every time');
});

test('a sealed secret copied onto another row, or tampered with, does not open', () => {
  const sealed = box([KEY_A]).seal('whsec_c2VjcmV0', 'endpoint-1');
  assert.throws(() => box([KEY_A]).open(sealed, 'endpoint-2'));
  const parts = sealed.split('.');
  const data = Buffer.from(parts[3]!, 'base64url');
  data[0] = data[0]! ^ 1;
  assert.throws(() => box([KEY_A]).open([...parts.slice(0, 3), data.toString('base64url')].join('.'), 'endpoint-1'));
});

test('each purpose has a key of its own: a webhook secret does not open as a connection secret', () => {
  const sealed = box([KEY_A]).seal('s3cret', 'row');
  assert.throws(() => new SecretBox([KEY_A], 'connection-secrets').open(sealed, 'row'), /SECRET_ENCRYPTION_KEYS/);
});

test('rotating the key: the new key seals, the old one still opens what it sealed; without it nothing opens', () => {
  const old = box([KEY_A]).seal('whsec_b2xk', 'e');
  const rotated = box([KEY_B, KEY_A]);
  assert.equal(rotated.open(old, 'e'), 'whsec_b2xk');
  assert.equal(box([KEY_B]).open(rotated.seal('whsec_bmV3', 'e'), 'e'), 'whsec_bmV3');
  assert.throws(() => box([KEY_B]).open(old, 'e'), /SECRET_ENCRYPTION_KEYS/);
});

describeEachDatabase('the server’s sealing keys', ['secrets'], (db) => {
  test('unset, a key is generated once and kept; setting SECRET_ENCRYPTION_KEYS later still opens what it sealed', async () => {
    const generated = box(await loadSealingKeys(db(), undefined));
    const sealed = generated.seal('whsec_b2xk', 'e');
    assert.equal(
      box(await loadSealingKeys(db(), undefined)).open(sealed, 'e'),
      'whsec_b2xk',
      'the same key next start',
    );
    const configured = box(await loadSealingKeys(db(), [KEY_A]));
    assert.equal(configured.open(sealed, 'e'), 'whsec_b2xk');
    // New seals use the configured key: they open without the database's key.
    assert.equal(box([KEY_A]).open(configured.seal('whsec_bmV3', 'e'), 'e'), 'whsec_bmV3');
  });
});
