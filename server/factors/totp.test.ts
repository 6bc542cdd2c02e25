// TOTP and recovery codes below HTTP, on both databases, with a clock the test moves: the window either
// side of now, single use of a code within its window (also under concurrency), enrolment, and recovery
// codes spent once even when many requests race for one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { describeEachDatabase } from '../../test/support/databases.js';
import { Account, Credential } from '../db/entities/index.js';
import { RecoveryCodes } from './recovery-codes.js';
import { SecretBox } from '../keys/sealing.js';
import { TotpService } from './totp.js';

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0); // the start of a 30-second step
const codeAt = (secret: string, at: number) =>
  TOTP.generate({ secret: Secret.fromBase32(secret.replace(/\s/g, '')), timestamp: at });

describeEachDatabase('TOTP and recovery codes', ['credentials', 'recovery_codes', 'accounts'], (db) => {
  let now = T0;
  const box = new SecretBox([randomBytes(32).toString('base64url')], 'totp-keys');
  const totp = () => new TotpService(db(), box, 'tessera.test', () => now);
  const recovery = () => new RecoveryCodes(db(), () => now);

  async function account(): Promise<string> {
    const id = crypto.randomUUID();
    const at = new Date();
    await db().write((m) =>
      m.insert(Account, { id, email: `${id}@example.test`, emailVerified: true, createdAt: at, updatedAt: at }),
    );
    return id;
  }

  /** An account with an authenticator app set up at T0; returns its key. */
  async function enrolled(): Promise<{ accountId: string; secret: string }> {
    now = T0;
    const accountId = await account();
    const { secret } = await totp().startEnrolment(accountId, 'ada@example.test');
    assert.ok(await totp().confirmEnrolment(accountId, codeAt(secret, now)));
    return { accountId, secret };
  }

  test('enrolment shows the key, a QR code of the otpauth URI, and keeps the key encrypted', async () => {
    const accountId = await account();
    const enrolment = await totp().startEnrolment(accountId, 'ada@example.test');
    assert.match(enrolment.uri, /^otpauth:\/\/totp\/tessera\.test:ada%40example\.test\?/);
    assert.match(enrolment.qrSvg, /^<svg/);
    const row = await db().read((m) => m.findOneByOrFail(Credential, { accountId, type: 'totp_pending' }));
    assert.ok(!row.secret!.includes(enrolment.secret.replace(/\s/g, '')), 'the stored key is not the key');
    assert.equal(box.open(row.secret!, accountId), enrolment.secret.replace(/\s/g, ''));
    assert.throws(() => box.open(row.secret!, 'another account'), 'bound to its account');
    assert.equal(await totp().enrolled(accountId), false, 'not set up before the first code');
  });

  test('a wrong first code leaves the app not set up; the right one sets it up', async () => {
    now = T0;
    const accountId = await account();
    const { secret } = await totp().startEnrolment(accountId, 'x');
    assert.equal(
      await totp().confirmEnrolment(accountId, codeAt(secret, now + 10 * 30_000)),
      false,
      'a code of another time',
    );
    assert.equal(await totp().enrolled(accountId), false);
    assert.ok(await totp().confirmEnrolment(accountId, codeAt(secret, now)));
    assert.ok(await totp().enrolled(accountId));
  });

  test('the code of the enrolment does not also pass the sign-in that follows', async () => {
    const { accountId, secret } = await enrolled();
    assert.equal(await totp().verify(accountId, codeAt(secret, now)), false);
  });

  test('codes of the step before and after now pass; two steps away they do not', async () => {
    const { accountId, secret } = await enrolled();
    now = T0 + 10 * 30_000;
    assert.equal(await totp().verify(accountId, codeAt(secret, now - 60_000)), false, 'two steps old');
    assert.equal(await totp().verify(accountId, codeAt(secret, now + 60_000)), false, 'two steps ahead');
    assert.ok(await totp().verify(accountId, codeAt(secret, now - 30_000)), 'one step old');
    now += 30_000;
    assert.ok(await totp().verify(accountId, codeAt(secret, now + 30_000)), 'one step ahead');
  });

  test('a code is accepted once: replayed within its window it is refused, and so is an older one', async () => {
    const { accountId, secret } = await enrolled();
    now = T0 + 5 * 30_000;
    const code = codeAt(secret, now);
    assert.ok(await totp().verify(accountId, code));
    assert.equal(await totp().verify(accountId, code), false, 'the same code again');
    assert.equal(await totp().verify(accountId, codeAt(secret, now - 30_000)), false, 'an earlier step');
    now += 30_000;
    assert.ok(await totp().verify(accountId, codeAt(secret, now)), 'the next step works');
  });

  test('attack: one code sent by ten requests at once passes exactly once', async () => {
    const { accountId, secret } = await enrolled();
    now = T0 + 20 * 30_000;
    const code = codeAt(secret, now);
    const results = await Promise.all(Array.from({ length: 10 }, () => totp().verify(accountId, code)));
    assert.equal(results.filter(Boolean).length, 1);
  });

  test('codes of another shape are refused without effect', async () => {
    const { accountId } = await enrolled();
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 34 5x'])
      assert.equal(await totp().verify(accountId, bad), false);
  });

  test('ten recovery codes, shown once, each works once; new ones replace the old', async () => {
    const accountId = await account();
    const codes = await recovery().generate(accountId);
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
    assert.ok(
      await recovery().use(accountId, codes[0]!.toUpperCase().replace('-', ' ')),
      'case and spacing do not matter',
    );
    assert.equal(await recovery().use(accountId, codes[0]!), false, 'used already');
    assert.equal(await recovery().remaining(accountId), 9);
    const fresh = await recovery().generate(accountId);
    assert.equal(await recovery().use(accountId, codes[1]!), false, 'an old code no longer works');
    assert.ok(await recovery().use(accountId, fresh[1]!));
  });

  test("attack: a recovery code sent by twenty requests at once is spent exactly once; another account's code fails", async () => {
    const [ada, eve] = [await account(), await account()];
    const [code] = await recovery().generate(ada);
    await recovery().generate(eve);
    assert.equal(await recovery().use(eve, code!), false);
    const results = await Promise.all(Array.from({ length: 20 }, () => recovery().use(ada, code!)));
    assert.equal(results.filter(Boolean).length, 1);
  });
});
