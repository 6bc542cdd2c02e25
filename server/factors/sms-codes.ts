// Signing in, or up, with a code sent by SMS. Asking answers at once, the same for every number: looking the
// number up, issuing the code and queueing the SMS run after the answer (accounts/later.ts), so neither the
// page nor its timing tells whether the number has an account. A number that signs in to an account gets a
// sign-in code; any other gets a sign-up code (a disabled account's number gets nothing). A sign-in has one
// live code whichever kind: asking again withdraws the other kind, so a guess only ever tests one code.
import type { EntityManager } from 'typeorm';
import type { Later } from '../accounts/later.js';
import type { PhoneAccounts } from '../accounts/phone-accounts.js';
import type { Database } from '../db/database.js';
import { enqueueWithinLimits, type MailLimits } from '../delivery/outbox.js';
import { resolveLocale, translate } from '../render.js';
import type { CodeTarget, OneTimeCodes } from './one-time-codes.js';

export interface SmsCodeDeps {
  db: Database;
  codes: OneTimeCodes;
  phones: PhoneAccounts;
  later: Later;
  /** The outbox's hourly limits per recipient: past them nothing is sent (the page said the same either way). */
  mailLimits: MailLimits;
  /** The issuer's host, for the SMS's last line that lets a phone offer the code (WebOTP: `@host #code`). */
  host: string;
}

/** What a right code proved: the account that signs in with the number, or a number no account has yet. */
export type SmsProof = { kind: 'sign_in'; accountId: string } | { kind: 'sign_up'; phone: string };

const signInCode = (uid: string): CodeTarget => ({ purpose: 'sms_sign_in', subject: uid });
const signUpCode = (uid: string): CodeTarget => ({ purpose: 'sms_sign_up', subject: uid });
const numberProof = (accountId: string): CodeTarget => ({ purpose: 'phone_change', subject: accountId });

export class SmsCodes {
  constructor(private readonly deps: SmsCodeDeps) {}

  /** Sends a code for the sign-in `uid` to `phone` (E.164, its country allowed), later. */
  request(uid: string, phone: string, locale?: string): void {
    this.deps.later.add(() => this.send(uid, phone, locale));
  }

  /**
   * What a typed code proves for the sign-in `uid`, or undefined. The sign-up code is tried only when no
   * sign-in code is open (at most one of them is), so each guess costs one attempt at one code.
   */
  async verify(uid: string, code: string): Promise<SmsProof | undefined> {
    const { codes, phones } = this.deps;
    let check = await codes.verify(signInCode(uid), code);
    if (!check.ok && check.reason === 'no_code') {
      check = await codes.verify(signUpCode(uid), code);
      return check.ok ? { kind: 'sign_up', phone: check.identifier } : undefined;
    }
    if (!check.ok) return undefined;
    // Looked up again: the account may have been disabled since the code went out.
    const accountId = await phones.holderOf(check.identifier);
    return accountId ? { kind: 'sign_in', accountId } : undefined;
  }

  /** Sends the signed-in account a code that proves `phone` (E.164, its country allowed) is theirs, later. */
  requestNumberProof(accountId: string, phone: string, locale?: string): void {
    this.deps.later.add(() =>
      this.deps.db.transaction((m) => this.text(m, numberProof(accountId), phone, 'sms.phone_change_code', locale)),
    );
  }

  /** The number a typed code proves for the account, or undefined (wrong, spent, expired, too many guesses). */
  async verifyNumberProof(accountId: string, code: string): Promise<string | undefined> {
    const check = await this.deps.codes.verify(numberProof(accountId), code);
    return check.ok ? check.identifier : undefined;
  }

  private async send(uid: string, phone: string, locale: string | undefined): Promise<void> {
    const { db, codes, phones } = this.deps;
    const found = await phones.find(phone);
    await db.transaction(async (m) => {
      // Asking for another number ends this sign-in's earlier code, of either kind, whether or not one is sent now.
      await codes.withdraw(m, signInCode(uid));
      await codes.withdraw(m, signUpCode(uid));
      if (found?.disabled) return;
      const target = found ? signInCode(uid) : signUpCode(uid);
      await this.text(m, target, phone, found ? 'sms.sign_in_code' : 'sms.sign_up_code', locale);
    });
  }

  /** Issues a code for `target` and queues the SMS that carries it, in `m`; a code nobody will receive is withdrawn. */
  private async text(m: EntityManager, target: CodeTarget, phone: string, key: string, locale?: string) {
    const { codes, mailLimits, host } = this.deps;
    const code = await codes.issue(m, target, phone);
    const text = translate(resolveLocale(locale), key, { code });
    const queued = await enqueueWithinLimits(
      m,
      { channel: 'sms', recipient: phone, subject: 'SMS code', bodyText: `${text}\n\n@${host} #${code}` },
      mailLimits,
    );
    if (!queued.queued) await codes.withdraw(m, target);
  }
}
