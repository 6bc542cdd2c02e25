// Passkeys below HTTP, on both databases: registration and sign-in with a software authenticator, and the
// attacks: a replayed challenge, another origin, another sign-in's challenge, a stale counter, another
// account's passkey as a second factor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasMlDsa, type PasskeyAlgorithm, SoftAuthenticator } from '../../test/support/authenticator.js';
import { describeEachDatabase } from '../../test/support/databases.js';
import { Account } from '../db/entities/index.js';
import { AppError } from '../errors.js';
import { AssertionResponse, AttestationResponse, PasskeyService } from './passkeys.js';

const ISSUER = 'http://tessera.test:8080';
const ORIGIN = 'http://tessera.test:8080';
const attestation = (json: string) => AttestationResponse.parse(json);
const assertion = (json: string) => AssertionResponse.parse(json);

const refused = (error: unknown) => error instanceof AppError && error.code === 'passkey_refused';

describeEachDatabase('passkeys', ['webauthn_challenges', 'credentials', 'accounts'], (db) => {
  const passkeys = () => new PasskeyService(db(), ISSUER);

  async function account(name = 'Ada'): Promise<string> {
    const id = crypto.randomUUID();
    const now = new Date();
    await db().write((m) =>
      m.insert(Account, { id, email: `${id}@example.test`, emailVerified: true, name, createdAt: now, updatedAt: now }),
    );
    return id;
  }

  async function registered(
    accountId: string,
    synced = false,
    algorithm: PasskeyAlgorithm = 'ES256',
  ): Promise<SoftAuthenticator> {
    const key = new SoftAuthenticator('tessera.test', synced, algorithm);
    const options = await passkeys().registrationOptions({ id: accountId, userName: 'ada', displayName: 'Ada' });
    await passkeys().register(accountId, attestation(key.register(options, ORIGIN)), 'Laptop');
    return key;
  }

  test('a person registers a passkey and signs in with it alone: two factors (hwk + mfa)', async () => {
    const accountId = await account();
    const key = await registered(accountId);
    assert.deepEqual(
      (await passkeys().list(accountId)).map((p) => p.name),
      ['Laptop'],
    );
    const options = await passkeys().authenticationOptions('interaction-1');
    assert.equal(options.rpId, 'tessera.test');
    assert.deepEqual(options.allowCredentials, [], 'a first factor asks for any discoverable passkey');
    const proof = await passkeys().authenticate('interaction-1', assertion(key.authenticate(options, ORIGIN)));
    assert.deepEqual(proof, { accountId, amr: ['hwk', 'mfa'] });
  });

  test('a synced passkey is swk; as a second factor it adds no mfa of its own', async () => {
    const accountId = await account();
    const key = await registered(accountId, true);
    const options = await passkeys().authenticationOptions('interaction-2', accountId);
    assert.deepEqual(
      options.allowCredentials?.map((c) => c.id),
      [key.id],
    );
    const proof = await passkeys().authenticate(
      'interaction-2',
      assertion(key.authenticate(options, ORIGIN)),
      accountId,
    );
    assert.deepEqual(proof.amr, ['swk']);
  });

  test('attack: a challenge answered twice is refused the second time', async () => {
    const key = await registered(await account());
    const options = await passkeys().authenticationOptions('interaction-3');
    await passkeys().authenticate('interaction-3', assertion(key.authenticate(options, ORIGIN)));
    await assert.rejects(
      passkeys().authenticate('interaction-3', assertion(key.authenticate(options, ORIGIN))),
      refused,
    );
  });

  test('attack: an answer signed for another origin is refused, and spends the challenge', async () => {
    const key = await registered(await account());
    const options = await passkeys().authenticationOptions('interaction-4');
    await assert.rejects(
      passkeys().authenticate('interaction-4', assertion(key.authenticate(options, 'https://evil.example'))),
      refused,
    );
    await assert.rejects(
      passkeys().authenticate('interaction-4', assertion(key.authenticate(options, ORIGIN))),
      refused,
    );
  });

  test('attack: a registration for another origin is refused and nothing is kept', async () => {
    const accountId = await account();
    const key = new SoftAuthenticator('tessera.test');
    const options = await passkeys().registrationOptions({ id: accountId, userName: 'ada', displayName: 'Ada' });
    await assert.rejects(
      passkeys().register(accountId, attestation(key.register(options, 'https://evil.example')), 'x'),
      refused,
    );
    assert.equal(await passkeys().count(accountId), 0);
  });

  test("attack: one sign-in's challenge does not serve another, nor one account's registration another's", async () => {
    const key = await registered(await account());
    const options = await passkeys().authenticationOptions('interaction-5');
    await assert.rejects(
      passkeys().authenticate('interaction-6', assertion(key.authenticate(options, ORIGIN))),
      refused,
    );
    const [ada, eve] = [await account(), await account('Eve')];
    const regOptions = await passkeys().registrationOptions({ id: ada, userName: 'ada', displayName: 'Ada' });
    await assert.rejects(
      passkeys().register(eve, attestation(new SoftAuthenticator('tessera.test').register(regOptions, ORIGIN)), 'x'),
      refused,
    );
  });

  test('attack: a signature counter that does not move forward (a cloned key) is refused', async () => {
    const key = await registered(await account());
    const first = await passkeys().authenticationOptions('interaction-7');
    await passkeys().authenticate('interaction-7', assertion(key.authenticate(first, ORIGIN, { counter: 5 })));
    const second = await passkeys().authenticationOptions('interaction-7');
    await assert.rejects(
      passkeys().authenticate('interaction-7', assertion(key.authenticate(second, ORIGIN, { counter: 5 }))),
      refused,
    );
  });

  test("attack: another account's passkey does not serve as this account's second factor", async () => {
    const [ada, eve] = [await account(), await account('Eve')];
    const evesKey = await registered(eve);
    const options = await passkeys().authenticationOptions('interaction-8', ada);
    await assert.rejects(
      passkeys().authenticate('interaction-8', assertion(evesKey.authenticate(options, ORIGIN)), ada),
      refused,
    );
  });

  // Node 24 verifies ML-DSA, so the library offers it first, and Chromium's authenticator makes such keys:
  // their signatures (2,420 bytes) are far longer than an ES256 one.
  test('a post-quantum passkey (ML-DSA-44) registers and signs in', {
    skip: !hasMlDsa() && 'needs Node 24',
  }, async () => {
    const accountId = await account();
    const options = await passkeys().registrationOptions({ id: accountId, userName: 'ada', displayName: 'Ada' });
    assert.equal(options.pubKeyCredParams[0]?.alg, -48, 'ML-DSA-44 is offered first');
    const key = new SoftAuthenticator('tessera.test', false, 'ML-DSA-44');
    await passkeys().register(accountId, attestation(key.register(options, ORIGIN)), 'PQ key');
    const challenge = await passkeys().authenticationOptions('interaction-9');
    const proof = await passkeys().authenticate('interaction-9', assertion(key.authenticate(challenge, ORIGIN)));
    assert.deepEqual(proof, { accountId, amr: ['hwk', 'mfa'] });
  });
});
