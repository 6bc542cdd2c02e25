// Accounts that sign in with a phone number. The `phone` credential is keyed by the E.164 number, unique
// among phone credentials only (as the password's e-mail is among passwords): a number shown on another
// account's profile, verified or not, signs in to nothing. Only a proven number (a right SMS code) makes one.
import { recordAudit } from '../db/audit.js';
import type { Database } from '../db/database.js';
import { Account, Credential } from '../db/entities/index.js';
import { isUniqueViolation } from '../db/errors.js';
import { Conflict, NotFound } from '../errors.js';
import { termsAcceptance } from './terms.js';

export interface PhoneSignUp {
  /** E.164, proven by the person (a code sent to it). */
  phone: string;
  name: string;
  locale?: string;
  /** The version of the terms of service accepted on the form (TERMS_URL set), if any. */
  termsVersion?: string;
}

export class PhoneAccounts {
  constructor(private readonly db: Database) {}

  /** The account that signs in with `phone` (E.164), whether or not it is disabled. */
  async find(phone: string): Promise<{ accountId: string; disabled: boolean } | undefined> {
    return this.db.read(async (m) => {
      const credential = await m.findOneBy(Credential, { type: 'phone', identifier: phone });
      const account = credential && (await m.findOneBy(Account, { id: credential.accountId }));
      return account ? { accountId: account.id, disabled: account.disabledAt !== null } : undefined;
    });
  }

  /** The number the account signs in with by SMS code, if any (the account page's "ways to sign in"). */
  async signInNumberOf(accountId: string): Promise<string | undefined> {
    const credential = await this.db.read((m) => m.findOneBy(Credential, { accountId, type: 'phone' }));
    return credential?.identifier;
  }

  /** The account that signs in with `phone` (E.164), unless it is disabled. */
  async holderOf(phone: string): Promise<string | undefined> {
    const found = await this.find(phone);
    return found && !found.disabled ? found.accountId : undefined;
  }

  /**
   * Creates an account that signs in with the proven number, its phone verified, without e-mail or password.
   * When another sign-up took the number a moment ago, that account is the person's: the code proved the
   * number either way, so it is signed in to (undefined when it is disabled).
   */
  async signUp(input: PhoneSignUp): Promise<string | undefined> {
    try {
      return await this.db.transaction(async (m) => {
        const now = new Date();
        const id = crypto.randomUUID();
        await m.insert(Account, {
          id,
          email: null,
          emailVerified: false,
          phone: input.phone,
          phoneVerified: true,
          name: input.name.trim(),
          locale: input.locale ?? null,
          ...termsAcceptance(input.termsVersion, now),
          createdAt: now,
          updatedAt: now,
          disabledAt: null,
        });
        await m.insert(Credential, {
          id: crypto.randomUUID(),
          accountId: id,
          type: 'phone',
          identifier: input.phone,
          secretHash: null,
          createdAt: now,
          updatedAt: now,
        });
        await recordAudit(m, {
          type: 'account.registered',
          actor: id,
          subject: id,
          data: { by: 'phone', ...(input.termsVersion ? { terms_version: input.termsVersion } : {}) },
        });
        return id;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return this.holderOf(input.phone);
    }
  }

  /**
   * Makes `phone` (E.164, just proven by the person with a code) the account's verified number and the number
   * it signs in with by SMS, in place of any earlier one. A number that signs in to another account stays
   * there: the person proved the number, so telling them so tells them nothing new.
   */
  async setProvenNumber(accountId: string, phone: string): Promise<void> {
    const taken = () => new Conflict('This number signs in to another account already.', 'phone_taken');
    try {
      await this.db.transaction(async (m) => {
        const holder = await m.findOneBy(Credential, { type: 'phone', identifier: phone });
        if (holder && holder.accountId !== accountId) throw taken();
        const now = new Date();
        const changed = await m.update(Account, { id: accountId }, { phone, phoneVerified: true, updatedAt: now });
        if (changed.affected !== 1) throw new NotFound('This account no longer exists.', 'account_not_found');
        const own = await m.findOneBy(Credential, { accountId, type: 'phone' });
        if (own) await m.update(Credential, { id: own.id }, { identifier: phone, updatedAt: now });
        else
          await m.insert(Credential, {
            id: crypto.randomUUID(),
            accountId,
            type: 'phone',
            identifier: phone,
            secretHash: null,
            createdAt: now,
            updatedAt: now,
          });
        await recordAudit(m, { type: 'account.phone_changed', actor: accountId, subject: accountId });
      });
    } catch (error) {
      // Another account proved the same number a moment ago.
      if (isUniqueViolation(error)) throw taken();
      throw error;
    }
  }

  /**
   * Takes the number off the account, and with it the sign-in by SMS code. `otherWay` says, inside the
   * transaction, whether the account keeps another way to sign in; without one nothing changes (409).
   */
  async removeNumber(accountId: string, otherWay: (accountId: string) => Promise<boolean>): Promise<void> {
    await this.db.transaction(async (m) => {
      const own = await m.findOneBy(Credential, { accountId, type: 'phone' });
      if (own && !(await otherWay(accountId)))
        throw new Conflict(
          'This number is your only way to sign in: add a password, a passkey or a connection first.',
          'last_sign_in_method',
        );
      if (own) await m.delete(Credential, { id: own.id });
      await m.update(Account, { id: accountId }, { phone: null, phoneVerified: false, updatedAt: new Date() });
      await recordAudit(m, { type: 'account.phone_removed', actor: accountId, subject: accountId });
    });
  }
}
