// Accounts and password credentials: registration, e-mail verification, sign-in, password reset.
// No answer here reveals whether an e-mail is registered: registration and reset requests look
// the same either way, and the mail tells the mailbox owner what happened.
import type { EntityManager } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import type { Database } from '../db/database.js';
import { Account, Credential } from '../db/entities/index.js';
import { enqueueWithinLimits, type MailLimits, UNLIMITED_MAIL } from '../delivery/outbox.js';
import { consumeCode, deleteExpiredCodes, issueCode, peekCode } from './codes.js';
import type { AccountMail } from './mail.js';
import type { PasswordHasher } from './passwords.js';

export interface Registration {
  email: string;
  password: string;
  name: string;
  locale?: string;
}

export type SignInResult =
  | { ok: true; account: Account }
  | { ok: false; reason: 'invalid_credentials' | 'email_not_verified' | 'account_disabled' };

/** Sign-in e-mails compare case-insensitively and without surrounding space. */
export const normaliseEmail = (email: string) => email.trim().normalize('NFC').toLowerCase();

export class AccountService {
  constructor(
    private readonly db: Database,
    private readonly hasher: PasswordHasher,
    private readonly mail: AccountMail,
    private readonly mailLimits: MailLimits = UNLIMITED_MAIL,
  ) {}

  /**
   * Creates an account and mails a verification link; an e-mail that already signs in gets a notice
   * instead (and undefined is returned). With `emailProven` (the person opened a link Tessera mailed to
   * that address) the account is verified at once and no link is sent.
   */
  async register(input: Registration, { emailProven = false } = {}): Promise<Account | undefined> {
    const identifier = normaliseEmail(input.email);
    const secretHash = await this.hasher.hash(input.password);
    return this.db.transaction(async (m) => {
      if (await m.existsBy(Credential, { type: 'password', identifier })) {
        await this.send(m, identifier, this.mail.alreadyRegistered({ locale: input.locale }));
        return undefined;
      }
      const account = await this.insertAccount(m, { ...input, email: identifier, secretHash, verified: emailProven });
      await recordAudit(m, { type: 'account.registered', actor: account.id, subject: account.id, ...(emailProven ? { data: { email_proven_by: 'invitation' } } : {}) });
      if (!emailProven) await this.sendVerification(m, account);
      return account;
    });
  }

  /** Creates an account directly (CLI, tests): no mail, verified when told so. */
  async createAccount(input: Registration & { verified: boolean }): Promise<Account> {
    const identifier = normaliseEmail(input.email);
    const secretHash = await this.hasher.hash(input.password);
    return this.db.transaction(async (m) => {
      if (await m.existsBy(Credential, { type: 'password', identifier })) throw new Error(`An account already signs in with ${identifier}`);
      const account = await this.insertAccount(m, { ...input, email: identifier, secretHash });
      await recordAudit(m, { type: 'account.created', actor: 'cli', subject: account.id });
      return account;
    });
  }

  async signIn(email: string, password: string): Promise<SignInResult> {
    const identifier = normaliseEmail(email);
    const credential = await this.db.read((m) => m.findOneBy(Credential, { type: 'password', identifier }));
    if (!(await this.hasher.verify(credential?.secretHash, password)) || !credential) return { ok: false, reason: 'invalid_credentials' };
    const account = await this.db.read((m) => m.findOneByOrFail(Account, { id: credential.accountId }));
    if (account.disabledAt) return { ok: false, reason: 'account_disabled' };
    if (!account.emailVerified) {
      await this.db.transaction((m) => this.sendVerification(m, account));
      return { ok: false, reason: 'email_not_verified' };
    }
    if (this.hasher.needsRehash(credential.secretHash)) {
      const secretHash = await this.hasher.hash(password);
      await this.db.read((m) => m.update(Credential, { id: credential.id }, { secretHash, updatedAt: new Date() }));
    }
    return { ok: true, account };
  }

  /** True while a verification link is still usable (the page asks to confirm; GET changes nothing). */
  async isVerificationCodeValid(code: string): Promise<boolean> {
    return (await this.db.read((m) => peekCode(m, code, 'verify_email'))) !== null;
  }

  async verifyEmail(code: string): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const used = await consumeCode(m, code, 'verify_email');
      if (!used) return false;
      // The code proves the mailbox it was sent to; if the profile e-mail changed since, it proves nothing.
      const result = await m.update(Account, { id: used.accountId, email: used.target ?? '' }, { emailVerified: true, updatedAt: new Date() });
      if (result.affected !== 1) return false;
      await recordAudit(m, { type: 'account.email_verified', actor: used.accountId, subject: used.accountId });
      return true;
    });
  }

  async requestPasswordReset(email: string, locale?: string): Promise<void> {
    const identifier = normaliseEmail(email);
    await this.db.transaction(async (m) => {
      const credential = await m.findOneBy(Credential, { type: 'password', identifier });
      if (!credential) return;
      const code = await issueCode(m, credential.accountId, 'reset_password', identifier);
      await this.send(m, identifier, this.mail.passwordReset({ code, locale }));
    });
  }

  /** The sign-in e-mail a usable reset code was sent to (shown on the form), or undefined. */
  async resetCodeTarget(code: string): Promise<string | undefined> {
    return (await this.db.read((m) => peekCode(m, code, 'reset_password')))?.target ?? undefined;
  }

  /** Sets a new password. The link proved the mailbox, so the sign-in e-mail becomes verified. */
  async resetPassword(code: string, password: string): Promise<boolean> {
    const secretHash = await this.hasher.hash(password);
    return this.db.transaction(async (m) => {
      const used = await consumeCode(m, code, 'reset_password');
      if (!used) return false;
      const now = new Date();
      await m.update(Credential, { accountId: used.accountId, type: 'password' }, { secretHash, updatedAt: now });
      await m.update(Account, { id: used.accountId, email: used.target ?? '' }, { emailVerified: true, updatedAt: now });
      await recordAudit(m, { type: 'account.password_reset', actor: used.accountId, subject: used.accountId });
      return true;
    });
  }

  async deleteExpiredCodes(): Promise<number> {
    return this.db.read((m) => deleteExpiredCodes(m));
  }

  async findById(id: string): Promise<Account | null> {
    return this.db.read((m) => m.findOneBy(Account, { id }));
  }

  private async insertAccount(m: EntityManager, input: Registration & { secretHash: string; verified: boolean }): Promise<Account> {
    const now = new Date();
    const account = Object.assign(new Account(), {
      id: crypto.randomUUID(), email: input.email, emailVerified: input.verified, phone: null, phoneVerified: false,
      name: input.name.trim(), locale: input.locale ?? null, createdAt: now, updatedAt: now, disabledAt: null,
    });
    await m.insert(Account, account);
    await m.insert(Credential, {
      id: crypto.randomUUID(), accountId: account.id, type: 'password', identifier: input.email, secretHash: input.secretHash,
      createdAt: now, updatedAt: now,
    });
    return account;
  }

  private async sendVerification(m: EntityManager, account: Account): Promise<void> {
    if (!account.email) return;
    const code = await issueCode(m, account.id, 'verify_email', account.email);
    await this.send(m, account.email, this.mail.verifyEmail({ code, name: account.name, locale: account.locale ?? undefined }));
  }

  /**
   * Anyone can make Tessera mail an address (register it, ask for a reset): past the address's hourly
   * limit the message is silently not sent, and the answer stays the same either way (no enumeration).
   */
  private async send(m: EntityManager, to: string, message: { subject: string; text: string; html: string }): Promise<void> {
    await enqueueWithinLimits(m, { channel: 'email', recipient: to, subject: message.subject, bodyText: message.text, bodyHtml: message.html }, this.mailLimits);
  }
}
