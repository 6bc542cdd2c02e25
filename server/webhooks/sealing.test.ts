// Endpoint secrets at rest: sealed under the configured key, bound to their endpoint, rotatable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.js';
import { loadSecretBox, SecretBox } from './sealing.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);

test('a sealed secret opens with the same key for the same endpoint, and does not show the secret', () => {
  const box = new SecretBox([KEY_A]);
  const sealed = box.seal('whsec_c2VjcmV0', 'endpoint-1');
  assert.ok(!sealed.includes('whsec_') && !sealed.includes('c2VjcmV0'));
  assert.equal(box.open(sealed, 'endpoint-1'), 'whsec_c2VjcmV0');
  assert.notEqual(box.seal('whsec_c2VjcmV0', 'endpoint-1'), sealed, 'a fresh nonce every time');
});

test('a sealed secret copied onto another endpoint, or tampered with, does not open', () => {
  const box = new SecretBox([KEY_A]);
  const sealed = box.seal('whsec_c2VjcmV0', 'endpoint-1');
  assert.throws(() => box.open(sealed, 'endpoint-2'));
  const parts = sealed.split('.');
  const data = Buffer.from(parts[3]!, 'base64url');
  data[0] = data[0]! ^ 1;
  assert.throws(() => box.open([...parts.slice(0, 3), data.toString('base64url')].join('.'), 'endpoint-1'));
});

test('rotating the key: the new key seals, the old one still opens what it sealed; without it nothing opens', () => {
  const old = new SecretBox([KEY_A]).seal('whsec_b2xk', 'e');
  const rotated = new SecretBox([KEY_B, KEY_A]);
  assert.equal(rotated.open(old, 'e'), 'whsec_b2xk');
  assert.equal(new SecretBox([KEY_B]).open(rotated.seal('whsec_bmV3', 'e'), 'e'), 'whsec_bmV3');
  assert.throws(() => new SecretBox([KEY_B]).open(old, 'e'), /WEBHOOK_ENCRYPTION_KEYS/);
});

describeEachDatabase('the server’s secret box', ['secrets'], (db) => {
  test('unset, a key is generated once and kept; setting WEBHOOK_ENCRYPTION_KEYS later still opens what it sealed', async () => {
    const generated = await loadSecretBox(db(), undefined);
    const sealed = generated.seal('whsec_b2xk', 'e');
    assert.equal((await loadSecretBox(db(), undefined)).open(sealed, 'e'), 'whsec_b2xk', 'the same key next start');
    const configured = await loadSecretBox(db(), [KEY_A]);
    assert.equal(configured.open(sealed, 'e'), 'whsec_b2xk');
    // New seals use the configured key: they open without the database's key.
    assert.equal(new SecretBox([KEY_A]).open(configured.seal('whsec_bmV3', 'e'), 'e'), 'whsec_bmV3');
  });
});
