// Signed in as someone an e-mail-bound invitation is not for: prove the invited address instead of
// switching accounts. A one-time code goes to the address; the right code adds it to this account as a
// verified address (accounts/account-emails.ts). The invitation itself is only read here: sending, wrong
// codes, a dead code or an abandoned attempt never count a use or end it; only pressing Join does.
import type { EntityManager } from 'typeorm';
import type { AccountEmails } from '../accounts/account-emails.js';
import type { ComposedMail } from '../accounts/mail.js';
import type { Database } from '../db/database.js';
import type { OneTimeCodePurpose } from '../db/entities/index.js';
import { enqueueWithinLimits, type MailLimits } from '../delivery/outbox.js';
import { BadRequest } from '../errors.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { type InvitationDetails, InvitationRefused, type RedemptionService } from './redemption.js';

interface CodeTarget {
  purpose: OneTimeCodePurpose;
  subject: string;
}

/**
 * The one-time code store (factors/one-time-codes.ts, handed in by app.ts: invitations/ does not import
 * factors/): issue within the caller's transaction, withdraw, verify with counted attempts.
 */
export interface CodeStore {
  issue(m: EntityManager, target: CodeTarget, identifier: string): Promise<string>;
  withdraw(m: EntityManager, target: CodeTarget): Promise<void>;
  verify(
    target: CodeTarget,
    typed: string,
  ): Promise<
    { ok: true; identifier: string } | { ok: false; reason: 'no_code' | 'expired' | 'too_many_attempts' | 'wrong_code' }
  >;
}

export interface AddressProofDeps {
  db: Database;
  codes: CodeStore;
  redemption: RedemptionService;
  addresses: AccountEmails;
  /** Composes the mail that carries the code (factors/code-mail.ts). */
  mail: { invitationAddressCode(input: { code: string; tenantName: string; locale?: string }): ComposedMail };
  mailLimits: MailLimits;
  /** Sends per address (shared with e-mail sign-in codes) and per IP. */
  limits: { perAddress: RateLimiter; perIp: RateLimiter };
}

/** `m…@example.com`: enough for the address's owner to recognise it, not enough to learn it from the link. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '…' : `${email[0]}…${email.slice(at)}`;
}

/** One live code per account: asking again (for this or another invitation) replaces it. */
const target = (accountId: string): CodeTarget => ({ purpose: 'invitation_address', subject: accountId });

export type ProofResult = { ok: true } | Exclude<Awaited<ReturnType<CodeStore['verify']>>, { ok: true }>;

export class AddressProof {
  constructor(private readonly deps: AddressProofDeps) {}

  /**
   * The invitation, when the account is refused only for not having proved the invited address: it is
   * usable and bound to an e-mail alone (one bound to a phone too needs that phone's account anyway).
   * Throws InvitationRefused when the invitation cannot be used at all.
   */
  async provable(token: string, accountId: string): Promise<(InvitationDetails & { email: string }) | undefined> {
    // Any other refusal (expired, used up, revoked…) is the invitation's own page.
    const invitation = await this.deps.redemption.open(token);
    try {
      await this.deps.redemption.open(token, accountId);
      return undefined;
    } catch (error) {
      if (!(error instanceof InvitationRefused) || error.problem !== 'wrong_account') throw error;
    }
    return invitation.email && !invitation.phone ? { ...invitation, email: invitation.email } : undefined;
  }

  /** Mails a code to the invited address (within the per-address, per-IP and mail limits); the address masked. */
  async send(token: string, accountId: string, ip: string, locale?: string): Promise<string> {
    const invitation = await this.mustBeProvable(token, accountId);
    const { db, codes, mail, mailLimits, limits } = this.deps;
    await limits.perIp.consume(ip);
    await limits.perAddress.consume(invitation.email);
    await db.transaction(async (m) => {
      const code = await codes.issue(m, target(accountId), invitation.email);
      const message = mail.invitationAddressCode({ code, tenantName: invitation.tenantName, locale });
      const queued = await enqueueWithinLimits(
        m,
        {
          channel: 'email',
          recipient: invitation.email,
          subject: message.subject,
          bodyText: message.text,
          bodyHtml: message.html,
        },
        mailLimits,
      );
      // A code nobody received must not stay open to guessing.
      if (!queued.queued) await codes.withdraw(m, target(accountId));
    });
    return maskEmail(invitation.email);
  }

  /** Checks the code; the right one adds the invited address to the account, verified. */
  async confirm(token: string, accountId: string, code: string, ip: string): Promise<ProofResult> {
    const invitation = await this.mustBeProvable(token, accountId);
    // Each code allows five guesses; the IP's budget bounds guessing across many codes and accounts.
    await this.deps.limits.perIp.consume(ip);
    const check = await this.deps.codes.verify(target(accountId), code);
    if (!check.ok) return check;
    // A code sent for another invitation's address proves that address, not this one.
    if (check.identifier !== invitation.email) return { ok: false, reason: 'no_code' };
    await this.deps.db.transaction((m) => this.deps.addresses.addProven(m, accountId, invitation.email));
    return { ok: true };
  }

  private async mustBeProvable(token: string, accountId: string) {
    const invitation = await this.provable(token, accountId);
    if (!invitation) throw new BadRequest('There is no address to prove for this invitation.', 'not_provable');
    return invitation;
  }
}
