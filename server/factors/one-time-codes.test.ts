// The one-time code store below HTTP, on both databases, with a clock the test moves: expiry, the attempt
// limit, single use (also when many requests race with the right code), replacement by a new code, codes
// bound to the sign-in they were asked for, and nothing but a keyed hash at rest.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.js';
import { OneTimeCode } from '../db/entities/index.js';
import { CODE_TTL_MS, type CodeTarget, MAX_ATTEMPTS, OneTimeCodes } from './one-time-codes.js';

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
const ADA = 'ada@example.test';

describeEachDatabase('one-time codes', ['one_time_codes'], (db) => {
  let now = T0;
  const key = randomBytes(32);
  const codes = (withKey = key) => new OneTimeCodes(db(), withKey, () => now);
  const signIn = (): CodeTarget => ({ purpose: 'email_sign_in', subject: crypto.randomUUID() });
  const issue = (target: CodeTarget, identifier = ADA) => db().transaction((m) => codes().issue(m, target, identifier));
  /** A six-digit code that is not `code`. */
  const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  test('a code is six digits, works once for its sign-in, and says where it was sent', async () => {
    now = T0;
    const target = signIn();
    const code = await issue(target);
    assert.match(code, /^\d{6}$/);
    assert.deepEqual(await codes().verify(target, `${code.slice(0, 3)} ${code.slice(3)}`), {
      ok: true,
      identifier: ADA,
    });
    assert.deepEqual(await codes().verify(target, code), { ok: false, reason: 'no_code' }, 'spent');
  });

  test('only a keyed hash is stored: not the code, and another key does not match it', async () => {
    now = T0;
    const target = signIn();
    const code = await issue(target);
    const row = await db().read((m) => m.findOneByOrFail(OneTimeCode, { subject: target.subject }));
    assert.ok(!row.codeHash.includes(code));
    assert.match(row.codeHash, /^[\w-]{22}\.[\w-]{43}$/);
    assert.deepEqual(await codes(randomBytes(32)).verify(target, code), { ok: false, reason: 'wrong_code' });
    assert.equal((await codes().verify(target, code)).ok, true);
  });

  test('a code expires after ten minutes', async () => {
    now = T0;
    const target = signIn();
    const code = await issue(target);
    now = T0 + CODE_TTL_MS;
    assert.deepEqual(await codes().verify(target, code), { ok: false, reason: 'expired' });
    now = T0 + CODE_TTL_MS - 1000;
    assert.equal((await codes().verify(target, code)).ok, true, 'a second before, it still worked');
  });

  test('wrong codes count: after five wrong guesses even the right code is refused', async () => {
    now = T0;
    const target = signIn();
    const code = await issue(target);
    for (let i = 0; i < MAX_ATTEMPTS; i++)
      assert.deepEqual(await codes().verify(target, otherThan(code)), { ok: false, reason: 'wrong_code' });
    assert.deepEqual(await codes().verify(target, code), { ok: false, reason: 'too_many_attempts' });
    const row = await db().read((m) => m.findOneByOrFail(OneTimeCode, { subject: target.subject }));
    assert.equal(row.attempts, MAX_ATTEMPTS);
  });

  test('attack: fifty guesses at once get five comparisons at most', async () => {
    now = T0;
    const target = signIn();
    const code = await issue(target);
    const results = await Promise.all(Array.from({ length: 50 }, () => codes().verify(target, otherThan(code))));
    assert.equal(results.filter((r) => !r.ok && r.reason === 'wrong_code').length, MAX_ATTEMPTS);
    assert.equal(results.filter((r) => !r.ok && r.reason === 'too_many_attempts').length, 50 - MAX_ATTEMPTS);
  });

  test('attack: the right code sent by ten requests at once signs in exactly once', async () => {
    now = T0;
    const target = signIn();
    const code = await issue(target);
    const results = await Promise.all(Array.from({ length: 10 }, () => codes().verify(target, code)));
    assert.equal(results.filter((r) => r.ok).length, 1);
  });

  test('a new code replaces the earlier one of the same sign-in, whatever address it went to', async () => {
    now = T0;
    const target = signIn();
    const first = await issue(target);
    const second = await issue(target);
    const third = await issue(target, 'eve@example.test');
    if (first !== third) assert.equal((await codes().verify(target, first)).ok, false, 'the first code is dead');
    if (second !== third) assert.equal((await codes().verify(target, second)).ok, false, 'the second code is dead');
    assert.deepEqual(await codes().verify(target, third), { ok: true, identifier: 'eve@example.test' });
  });

  test("another sign-in's code is refused, and so is a code of another purpose", async () => {
    now = T0;
    const mine = signIn();
    const theirs = signIn();
    const code = await issue(theirs);
    await issue(mine);
    assert.equal((await codes().verify(mine, code)).ok, false);
    assert.deepEqual(await codes().verify({ ...theirs, purpose: 'sms_sign_in' as never }, code), {
      ok: false,
      reason: 'no_code',
    });
    assert.equal((await codes().verify(theirs, code)).ok, true);
  });

  test('codes of another shape are refused without effect on the right one', async () => {
    now = T0;
    const target = signIn();
    const code = await issue(target);
    for (const bad of ['', 'abcdef', '12345x']) assert.equal((await codes().verify(target, bad)).ok, false);
    assert.equal((await codes().verify(target, code)).ok, true);
  });

  test('expired codes are deleted by the cleanup', async () => {
    now = T0;
    const target = signIn();
    await issue(target);
    now = T0 + CODE_TTL_MS + 1;
    assert.ok((await codes().deleteExpired()) >= 1);
    assert.equal(await db().read((m) => m.countBy(OneTimeCode, { subject: target.subject })), 0);
  });
});
