// Signing as the Standard Webhooks specification says, checked against its published test vector.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { generateSecret, isSecret, sign, signedHeaders } from './signing.js';

// From the specification's reference libraries (libraries/javascript/src/webhook.test.ts, "sign function works").
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

test('sign reproduces the specification’s published test vector', () => {
  assert.equal(sign(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body), VECTOR.signature);
});

test('a change to the id, the timestamp, the body or the secret changes the signature', () => {
  const { secret, id, timestamp, body, signature } = VECTOR;
  assert.notEqual(sign(secret, `${id}x`, timestamp, body), signature);
  assert.notEqual(sign(secret, id, timestamp + 1, body), signature);
  assert.notEqual(sign(secret, id, timestamp, `${body} `), signature);
  assert.notEqual(sign(generateSecret(), id, timestamp, body), signature);
});

test('generated secrets are whsec_ and 32 random bytes, each different', () => {
  const a = generateSecret();
  assert.ok(isSecret(a));
  assert.equal(Buffer.from(a.slice('whsec_'.length), 'base64').length, 32);
  assert.notEqual(a, generateSecret());
});

test('only whsec_ base64 secrets sign', () => {
  for (const bad of ['', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_', 'whsec_short', 'whsec_not base64!'])
    assert.equal(isSecret(bad), false, bad);
  assert.throws(() => sign('nope', 'id', 1, '{}'), TypeError);
});

test('during a rotation the header carries a signature per secret, each verifiable on its own', () => {
  const [current, previous] = [generateSecret(), generateSecret()];
  const headers = signedHeaders([current, previous], 'evt_1', 1700000000, '{"a":1}');
  assert.equal(headers['webhook-id'], 'evt_1');
  assert.equal(headers['webhook-timestamp'], '1700000000');
  const signatures = headers['webhook-signature'].split(' ');
  assert.equal(signatures.length, 2);
  // Verified here the way a receiver would, without this module.
  for (const [i, secret] of [current, previous].entries()) {
    const key = Buffer.from(secret.slice(6), 'base64');
    const expected = createHmac('sha256', key).update('evt_1.1700000000.{"a":1}').digest('base64');
    assert.equal(signatures[i], `v1,${expected}`);
  }
});
