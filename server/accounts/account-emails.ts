// The addresses an account proved beyond its own e-mail. A proven address becomes the account's own
// e-mail only when it has none and no account uses it; otherwise it is kept here, where it matches
// e-mail-bound invitations and nothing else: it never signs in, never finds an account, never takes one over.
import type { EntityManager } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import type { Database } from '../db/database.js';
import { Account, AccountEmail, Credential } from '../db/entities/index.js';
import { NotFound } from '../errors.js';
import { normaliseEmail } from './service.js';

export interface ProvenAddress {
  email: string;
  verifiedAt: Date;
}

export class AccountEmails {
  constructor(private readonly db: Database) {}

  /**
   * Records `email` as proven by the account, inside the caller's transaction. `own`: it became the
   * account's e-mail (it had none, and no account or sign-in uses the address); `added`: kept beside it.
   */
  async addProven(m: EntityManager, accountId: string, address: string): Promise<'own' | 'added' | 'already'> {
    const email = normaliseEmail(address);
    const account = await m.findOneByOrFail(Account, { id: accountId });
    if (account.email && normaliseEmail(account.email) === email && account.emailVerified) return 'already';
    const now = new Date();
    if (!account.email && !(await this.inUse(m, email))) {
      await m.update(Account, { id: accountId }, { email, emailVerified: true, updatedAt: now });
      await recordAudit(m, { type: 'account.email_proven', actor: accountId, subject: accountId, data: { own: true } });
      return 'own';
    }
    if (await m.existsBy(AccountEmail, { accountId, email })) return 'already';
    await m.insert(AccountEmail, { accountId, email, verifiedAt: now, createdAt: now });
    await recordAudit(m, { type: 'account.email_proven', actor: accountId, subject: accountId, data: { own: false } });
    return 'added';
  }

  /** The addresses kept beside the account's own e-mail, alphabetically. */
  async list(accountId: string): Promise<ProvenAddress[]> {
    const rows = await this.db.read((m) => m.find(AccountEmail, { where: { accountId }, order: { email: 'ASC' } }));
    return rows.map(({ email, verifiedAt }) => ({ email, verifiedAt }));
  }

  async remove(accountId: string, address: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const removed = await m.delete(AccountEmail, { accountId, email: normaliseEmail(address) });
      if (!removed.affected) throw new NotFound('That address is not on your account.', 'address_not_found');
      await recordAudit(m, { type: 'account.email_removed', actor: accountId, subject: accountId });
    });
  }

  /** Whether any account's e-mail, or any sign-in credential, is this address (then it is not free to take). */
  private async inUse(m: EntityManager, email: string): Promise<boolean> {
    return (await m.existsBy(Account, { email })) || (await m.existsBy(Credential, { identifier: email }));
  }
}
