// Accounts and password credentials: registration, e-mail verification, sign-in, password reset.
// No answer here reveals whether an e-mail is registered: registration and reset requests look
// the same either way, and the mail tells the mailbox owner what happened. Confirming an address
// proves the mailbox and the credential both (see docs/security.md, "Confirming an address"); a
// credential change ends everything the account had signed in.
import { type EntityManager, In, IsNull } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import type { Database } from '../db/database.js';
import { findOneFixed } from '../db/statement.js';
import { Account, AccountEmail, Credential } from '../db/entities/index.js';
import { enqueueWithinLimits, type MailLimits, UNLIMITED_MAIL } from '../delivery/outbox.js';
import { consumeCode, deleteExpiredCodes, issueCode, peekCode, spendOpenCodes } from './codes.js';
import { Conflict, NotFound } from '../errors.js';
import { AfterAnswer, type Later } from './later.js';
import type { AccountMail } from './mail.js';
import type { PasswordHasher } from './passwords.js';
import { termsAcceptance } from './terms.js';

export interface Registration {
  email: string;
  password: string;
  name: string;
  locale?: string;
  /** The version of the terms of service the person accepted on the form (TERMS_URL set), if any. */
  termsVersion?: string;
}

export type SignInResult =
  | { ok: true; account: Account }
  | { ok: false; reason: 'invalid_credentials' | 'account_disabled' }
  /** The password was right: this browser holds the credential of `accountId`. */
  | { ok: false; reason: 'email_not_verified'; accountId: string };

/** What confirming an address needs besides the link: the registering browser, or the account's password. */
export interface ConfirmationProof {
  /** The account the browser registered (or signed in to while unconfirmed), from its signed cookie. */
  browserAccountId?: string;
  password?: string;
}

export type VerifyResult = 'verified' | 'invalid_link' | 'password_required' | 'wrong_password';

/** A usable reset link: the address it was sent to, and whether the new owner must also give a name. */
export interface ResetLink {
  email: string;
  /** The address was never confirmed: the name on the account was typed by whoever registered it. */
  askName: boolean;
}

/** Ends what an account has signed in (sessions, grants, tokens); called inside the credential change's transaction. */
export type CredentialChangedHook = (accountId: string) => Promise<void>;

export interface AccountServiceOptions {
  /** Where work that must not delay a reset request's answer runs (default: in this process, after the answer). */
  later?: Later;
  onCredentialChanged?: CredentialChangedHook;
  /** Hourly limits on mail to one address (default: none). */
  mailLimits?: MailLimits;
  /** The names of the other ways an account signs in (its connections), for the mail to an address it holds. */
  signInMethodsOf?: (accountId: string) => Promise<string[]>;
}

/** What an upstream identity provider says of a person, for an account created from it (e-mail optional). */
export interface UpstreamProfile {
  email?: string;
  /** Counted as verified by Tessera (the upstream said so and the connection is trusted for it). */
  emailVerified: boolean;
  name?: string;
  phone?: string;
  locale?: string;
}

/** Runs in the transaction that creates or deletes an account: another feature's rows that go with it. */
export type WithinAccountChange = (m: EntityManager, accountId: string) => Promise<void>;

/** Sign-in e-mails compare case-insensitively and without surrounding space. */
export const normaliseEmail = (email: string) => email.trim().normalize('NFC').toLowerCase();

export class AccountService {
  private readonly later: Later;

  constructor(
    private readonly db: Database,
    private readonly hasher: PasswordHasher,
    private readonly mail: AccountMail,
    private readonly options: AccountServiceOptions = {},
  ) {
    this.later = options.later ?? new AfterAnswer();
  }

  /**
   * Creates an account and mails a verification link. An e-mail that already signs in gets a notice
   * instead (and undefined is returned); when that account was never confirmed, the notice carries a
   * link to take the address over, since an unconfirmed registration reserves nothing. With
   * `emailProven` (the person opened a link Tessera mailed to that address) the account is verified at
   * once and no link is sent. With `phoneProven` (an E.164 number whose texted invitation link the person
   * opened) a new account holds that number, verified, on its profile: not as a way to sign in, since a
   * forwarded link must not let its holder catch the number's later SMS sign-ins.
   */
  async register(
    input: Registration,
    { emailProven = false, phoneProven }: { emailProven?: boolean; phoneProven?: string } = {},
  ): Promise<Account | undefined> {
    const identifier = normaliseEmail(input.email);
    const secretHash = await this.hasher.hash(input.password);
    return this.db.transaction(async (m) => {
      const existing = await m.findOneBy(Credential, { type: 'password', identifier });
      if (!existing && (await this.mailFederatedHolder(m, identifier, input.locale))) return undefined;
      if (existing) {
        const holder = await m.findOneByOrFail(Account, { id: existing.accountId });
        if (emailProven && !holder.emailVerified) {
          // The mailed link proved the mailbox, as a reset link would: the unconfirmed registration is replaced.
          await this.replaceCredential(m, holder.id, identifier, secretHash, input);
          await recordAudit(m, {
            type: 'account.registered',
            actor: holder.id,
            subject: holder.id,
            data: { email_proven_by: 'invitation', unconfirmed_before: true },
          });
          return m.findOneByOrFail(Account, { id: holder.id });
        }
        const mail = holder.emailVerified
          ? this.mail.alreadyRegistered({ locale: input.locale })
          : this.mail.registrationPending({
              code: await issueCode(m, holder.id, 'reset_password', identifier),
              locale: input.locale,
            });
        await this.send(m, identifier, mail);
        return undefined;
      }
      const account = await this.insertAccount(m, {
        ...input,
        email: identifier,
        secretHash,
        verified: emailProven,
        phone: phoneProven,
      });
      const proven = {
        ...(emailProven ? { email_proven_by: 'invitation' } : {}),
        ...(phoneProven ? { phone_proven_by: 'invitation' } : {}),
        ...(input.termsVersion ? { terms_version: input.termsVersion } : {}),
      };
      await recordAudit(m, {
        type: 'account.registered',
        actor: account.id,
        subject: account.id,
        ...(Object.keys(proven).length ? { data: proven } : {}),
      });
      if (!emailProven) await this.sendVerification(m, account);
      return account;
    });
  }

  /** Creates an account directly (CLI, tests): no mail, verified when told so. */
  /** An account made by an operator (CLI, operator API); `by` is who, for the audit trail. */
  async createAccount(input: Registration & { verified: boolean }, by = 'cli'): Promise<Account> {
    const identifier = normaliseEmail(input.email);
    const secretHash = await this.hasher.hash(input.password);
    return this.db.transaction(async (m) => {
      if (await m.existsBy(Credential, { type: 'password', identifier }))
        throw new Conflict(`An account already signs in with ${identifier}`, 'account_exists');
      const account = await this.insertAccount(m, { ...input, email: identifier, secretHash });
      await recordAudit(m, { type: 'account.created', actor: by, subject: account.id });
      return account;
    });
  }

  /**
   * Creates an account from an upstream identity provider's profile, without a password; `within` adds the
   * identity in the same transaction, so there is never an account that nothing signs in to.
   */
  async createFromUpstream(profile: UpstreamProfile, within: WithinAccountChange): Promise<Account> {
    return this.db.transaction(async (m) => {
      const now = new Date();
      const account = Object.assign(new Account(), {
        id: crypto.randomUUID(),
        email: profile.email ? normaliseEmail(profile.email) : null,
        emailVerified: Boolean(profile.email) && profile.emailVerified,
        phone: profile.phone ?? null,
        phoneVerified: false,
        name: profile.name?.trim().slice(0, 200) || null,
        locale: profile.locale?.slice(0, 35) ?? null,
        createdAt: now,
        updatedAt: now,
        disabledAt: null,
      });
      await m.insert(Account, account);
      await within(m, account.id);
      await recordAudit(m, {
        type: 'account.created',
        actor: account.id,
        subject: account.id,
        data: { upstream: true },
      });
      return account;
    });
  }

  /** The oldest live account whose verified e-mail is `email`: the one a verified upstream e-mail collides with. */
  async findVerifiedHolder(email: string): Promise<Account | undefined> {
    const found = await this.db.read((m) =>
      m.findOne(Account, {
        where: { email: normaliseEmail(email), emailVerified: true, disabledAt: IsNull() },
        order: { createdAt: 'ASC' },
      }),
    );
    return found ?? undefined;
  }

  async hasPassword(accountId: string): Promise<boolean> {
    return this.db.read((m) => m.existsBy(Credential, { accountId, type: 'password' }));
  }

  /** Whether the account signs in with something of its own: a password, a passkey or its phone (first factors). */
  async hasOwnSignIn(accountId: string, except?: 'phone'): Promise<boolean> {
    const types = ['password', 'webauthn', 'phone'].filter((type) => type !== except);
    return this.db.read((m) => m.existsBy(Credential, { accountId, type: In(types) }));
  }

  /** Whether `password` is the account's (re-authentication before linking a new way to sign in). */
  async checkPassword(accountId: string, password: string): Promise<boolean> {
    const credential = await this.db.read((m) => m.findOneBy(Credential, { accountId, type: 'password' }));
    return (await this.hasher.verify(credential?.secretHash, password)) && credential !== null;
  }

  /**
   * Deletes an account for good: `before` runs first in the same transaction (other features release what
   * they hold, and may refuse, e.g. the last admin of a tenant), then its credentials, codes and sessions go.
   */
  async deleteAccount(accountId: string, before: WithinAccountChange): Promise<void> {
    await this.db.transaction(async (m) => {
      if (!(await m.existsBy(Account, { id: accountId })))
        throw new NotFound('This account no longer exists.', 'account_not_found');
      await before(m, accountId);
      await spendOpenCodes(m, accountId, undefined, new Date());
      await m.delete(Credential, { accountId });
      await m.delete(AccountEmail, { accountId });
      await this.options.onCredentialChanged?.(accountId);
      await m.delete(Account, { id: accountId });
      await recordAudit(m, { type: 'account.deleted', actor: accountId, subject: accountId });
    });
  }

  async signIn(email: string, password: string): Promise<SignInResult> {
    const identifier = normaliseEmail(email);
    const credential = await this.db.read((m) => m.findOneBy(Credential, { type: 'password', identifier }));
    if (!(await this.hasher.verify(credential?.secretHash, password)) || !credential)
      return { ok: false, reason: 'invalid_credentials' };
    const account = await this.db.read((m) => m.findOneByOrFail(Account, { id: credential.accountId }));
    if (account.disabledAt) return { ok: false, reason: 'account_disabled' };
    if (!account.emailVerified) {
      await this.db.transaction((m) => this.sendVerification(m, account));
      return { ok: false, reason: 'email_not_verified', accountId: account.id };
    }
    if (this.hasher.needsRehash(credential.secretHash)) {
      const secretHash = await this.hasher.hash(password);
      await this.db.write((m) => m.update(Credential, { id: credential.id }, { secretHash, updatedAt: new Date() }));
    }
    return { ok: true, account };
  }

  /** The account and address a still usable verification link is for (GET shows the page; it changes nothing). */
  async verificationLink(code: string): Promise<{ accountId: string; email: string } | undefined> {
    const row = await this.db.read((m) => peekCode(m, code, 'verify_email'));
    return row?.target ? { accountId: row.accountId, email: row.target } : undefined;
  }

  /**
   * Confirms the address a link was mailed to. The link proves the mailbox; the account's credential
   * must be proven too, or whoever registered someone else's address would get it confirmed for them:
   * by the browser that registered (or signed in with the password), else by the password itself.
   */
  async verifyEmail(code: string, proof: ConfirmationProof): Promise<VerifyResult> {
    const link = await this.verificationLink(code);
    if (!link) return 'invalid_link';
    if (proof.browserAccountId !== link.accountId) {
      if (proof.password === undefined) return 'password_required';
      const credential = await this.db.read((m) =>
        m.findOneBy(Credential, { accountId: link.accountId, type: 'password' }),
      );
      if (!(await this.hasher.verify(credential?.secretHash, proof.password))) return 'wrong_password';
    }
    return this.db.transaction(async (m) => {
      const used = await consumeCode(m, code, 'verify_email');
      if (!used) return 'invalid_link';
      // The code proves the mailbox it was sent to; if the profile e-mail changed since, it proves nothing.
      const result = await m.update(
        Account,
        { id: used.accountId, email: used.target ?? '' },
        { emailVerified: true, updatedAt: new Date() },
      );
      if (result.affected !== 1) return 'invalid_link';
      await recordAudit(m, { type: 'account.email_verified', actor: used.accountId, subject: used.accountId });
      return 'verified';
    });
  }

  /**
   * The mailbox owner who did not register (or lost the password) sets a password instead of confirming:
   * the verification link, which proved the mailbox, is exchanged for a reset code.
   */
  async exchangeForReset(code: string): Promise<(ResetLink & { code: string }) | undefined> {
    return this.db.transaction(async (m) => {
      const used = await consumeCode(m, code, 'verify_email');
      if (!used?.target) return undefined;
      const account = await m.findOneByOrFail(Account, { id: used.accountId });
      return {
        code: await issueCode(m, used.accountId, 'reset_password', used.target),
        email: used.target,
        askName: !account.emailVerified,
      };
    });
  }

  /**
   * Answers at once and does the rest later, the same for every address: looking the address up,
   * issuing a code and writing the mail happen after the answer, so its timing tells nothing.
   */
  requestPasswordReset(email: string, locale?: string): void {
    const identifier = normaliseEmail(email);
    this.later.add(() => this.sendPasswordReset(identifier, locale));
  }

  /** Resolves once the work that answers did not wait for is done (shutdown, tests). */
  settled(): Promise<void> {
    return this.later.settled();
  }

  private async sendPasswordReset(identifier: string, locale: string | undefined): Promise<void> {
    await this.db.transaction(async (m) => {
      const credential = await m.findOneBy(Credential, { type: 'password', identifier });
      if (!credential) return;
      const code = await issueCode(m, credential.accountId, 'reset_password', identifier);
      await this.send(m, identifier, this.mail.passwordReset({ code, locale }));
    });
  }

  /** What a usable reset code's form shows and asks, or undefined. */
  async resetLink(code: string): Promise<ResetLink | undefined> {
    return this.db.read(async (m) => {
      const row = await peekCode(m, code, 'reset_password');
      const account = row?.target ? await m.findOneBy(Account, { id: row.accountId }) : null;
      return row?.target && account ? { email: row.target, askName: !account.emailVerified } : undefined;
    });
  }

  /**
   * Sets a new password. The link proved the mailbox, so the sign-in e-mail becomes verified. Whatever
   * came before the reset ends with it: other codes, every session, grant and token of the account, and,
   * when the address was never confirmed, the name and language whoever registered it chose (`owner`
   * gives the new ones).
   */
  async resetPassword(
    code: string,
    password: string,
    owner: { name?: string; locale?: string } = {},
  ): Promise<boolean> {
    const secretHash = await this.hasher.hash(password);
    return this.db.transaction(async (m) => {
      const used = await consumeCode(m, code, 'reset_password');
      if (!used) return false;
      const takenOver = await this.replaceCredential(m, used.accountId, used.target ?? '', secretHash, owner);
      await recordAudit(m, {
        type: 'account.password_reset',
        actor: used.accountId,
        subject: used.accountId,
        ...(takenOver ? { data: { unconfirmed_before: true } } : {}),
      });
      return true;
    });
  }

  async deleteExpiredCodes(): Promise<number> {
    return this.db.write((m) => deleteExpiredCodes(m));
  }

  /**
   * The person's own password change (account page), proving the current password. Like a reset, it ends
   * every session, grant and token of the account and every open code. False for a wrong current password.
   */
  async changePassword(accountId: string, current: string, next: string): Promise<boolean> {
    const credential = await this.db.read((m) => m.findOneBy(Credential, { accountId, type: 'password' }));
    if (!credential || !(await this.hasher.verify(credential.secretHash, current))) return false;
    const secretHash = await this.hasher.hash(next);
    await this.db.transaction(async (m) => {
      const now = new Date();
      await m.update(Credential, { id: credential.id }, { secretHash, updatedAt: now });
      await spendOpenCodes(m, accountId, undefined, now);
      await recordAudit(m, { type: 'account.password_changed', actor: accountId, subject: accountId });
      await this.options.onCredentialChanged?.(accountId);
    });
    return true;
  }

  /** The person's own changes to their profile, from the account page. */
  async updateProfile(accountId: string, profile: { name: string }): Promise<void> {
    await this.db.transaction(async (m) => {
      const changed = await m.update(Account, { id: accountId }, { name: profile.name.trim(), updatedAt: new Date() });
      if (!changed.affected) throw new NotFound('This account no longer exists.', 'account_not_found');
      await recordAudit(m, { type: 'account.profile_updated', actor: accountId, subject: accountId });
    });
  }

  /** Read at every token issuance (the provider's findAccount): a fixed statement. */
  async findById(id: string): Promise<Account | null> {
    return this.db.read((m) => findOneFixed(m, Account, { id }));
  }

  private async insertAccount(
    m: EntityManager,
    input: Registration & { secretHash: string; verified: boolean; phone?: string },
  ): Promise<Account> {
    const now = new Date();
    const account = Object.assign(new Account(), {
      id: crypto.randomUUID(),
      email: input.email,
      emailVerified: input.verified,
      phone: input.phone ?? null,
      phoneVerified: input.phone !== undefined,
      name: input.name.trim(),
      locale: input.locale ?? null,
      ...termsAcceptance(input.termsVersion, now),
      createdAt: now,
      updatedAt: now,
      disabledAt: null,
    });
    await m.insert(Account, account);
    await m.insert(Credential, {
      id: crypto.randomUUID(),
      accountId: account.id,
      type: 'password',
      identifier: input.email,
      secretHash: input.secretHash,
      createdAt: now,
      updatedAt: now,
    });
    return account;
  }

  /**
   * Sets the password of an account whose mailbox was just proven at `email`, and ends everything that
   * came before: open codes, sessions, grants, tokens; for an address never confirmed, also the name and
   * language its registrant chose (`owner` gives the new ones). True when the address was unconfirmed.
   */
  private async replaceCredential(
    m: EntityManager,
    accountId: string,
    email: string,
    secretHash: string,
    owner: { name?: string; locale?: string; termsVersion?: string },
  ): Promise<boolean> {
    const now = new Date();
    const account = await m.findOneByOrFail(Account, { id: accountId });
    const takenOver = !account.emailVerified;
    const updated = await m.update(Credential, { accountId, type: 'password' }, { secretHash, updatedAt: now });
    // An account from a connection adds its first password through a link mailed to its verified address.
    if (!updated.affected)
      await m.insert(Credential, {
        id: crypto.randomUUID(),
        accountId,
        type: 'password',
        identifier: email,
        secretHash,
        createdAt: now,
        updatedAt: now,
      });
    // The code proves the mailbox it was sent to; if the profile e-mail changed since, it confirms nothing.
    await m.update(
      Account,
      { id: accountId, email },
      {
        emailVerified: true,
        updatedAt: now,
        // The new owner's own choices replace the registrant's, the terms they accepted included.
        ...(takenOver
          ? {
              name: owner.name?.trim() || null,
              locale: owner.locale ?? null,
              ...termsAcceptance(owner.termsVersion, now),
            }
          : {}),
      },
    );
    await spendOpenCodes(m, accountId, undefined, now);
    await this.options.onCredentialChanged?.(accountId);
    return takenOver;
  }

  /**
   * Registering an address that an account from a connection holds (verified, no password): that account's
   * mailbox is told how it signs in and gets a link to add a password; the registrant sees what any other
   * registration sees (no enumeration). True when such an account exists.
   */
  private async mailFederatedHolder(m: EntityManager, identifier: string, locale?: string): Promise<boolean> {
    const holder = await m.findOne(Account, {
      where: { email: identifier, emailVerified: true, disabledAt: IsNull() },
      order: { createdAt: 'ASC' },
    });
    if (!holder || (await m.existsBy(Credential, { accountId: holder.id, type: 'password' }))) return false;
    const ways = (await this.options.signInMethodsOf?.(holder.id)) ?? [];
    const code = await issueCode(m, holder.id, 'reset_password', identifier);
    await this.send(m, identifier, this.mail.alreadyFederated({ code, ways, locale }));
    return true;
  }

  private async sendVerification(m: EntityManager, account: Account): Promise<void> {
    if (!account.email) return;
    const code = await issueCode(m, account.id, 'verify_email', account.email);
    await this.send(m, account.email, this.mail.verifyEmail({ code, locale: account.locale ?? undefined }));
  }

  /**
   * Anyone can make Tessera mail an address (register it, ask for a reset): past the address's hourly
   * limit the message is silently not sent, and the answer stays the same either way (no enumeration).
   */
  private async send(
    m: EntityManager,
    to: string,
    message: { subject: string; text: string; html: string },
  ): Promise<void> {
    await enqueueWithinLimits(
      m,
      { channel: 'email', recipient: to, subject: message.subject, bodyText: message.text, bodyHtml: message.html },
      this.options.mailLimits ?? UNLIMITED_MAIL,
    );
  }
}
