// What an operator does to accounts: find them, disable and enable them, end their sessions, send a reset,
// delete them. accounts/ knows nothing of sessions: ending them goes through the `endSessions` hook.
import type { EntityManager } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import { decodeCursor, LIKE_ESCAPE, likePattern, type Page, toPage } from '../db/cursor.js';
import type { Database } from '../db/database.js';
import { Account, Credential } from '../db/entities/index.js';
import { NotFound, Unprocessable } from '../errors.js';
import { normaliseEmail, type AccountService } from './service.js';

export interface AccountSummary {
  id: string;
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  name: string | null;
  created_at: string;
  disabled_at: string | null;
}

const toSummary = (a: Account): AccountSummary => ({
  id: a.id,
  email: a.email,
  email_verified: a.emailVerified,
  phone: a.phone,
  name: a.name,
  created_at: a.createdAt.toISOString(),
  disabled_at: a.disabledAt?.toISOString() ?? null,
});

/** Ends every session, grant and token of an account (oidc/adapter's endAccountSessions, handed in by app.ts). */
export type EndSessions = (accountId: string) => Promise<void>;

const noAccount = () => new NotFound('There is no account with this id.', 'account_not_found');

/** The account that signs in with this e-mail address and password, if any (that address is unique among them). */
export async function accountSigningInWith(m: EntityManager, email: string): Promise<string | undefined> {
  const credential = await m.findOneBy(Credential, { type: 'password', identifier: normaliseEmail(email) });
  return credential?.accountId;
}

export class AccountAdministration {
  constructor(
    private readonly db: Database,
    private readonly accounts: AccountService,
    private readonly endSessions: EndSessions,
  ) {}

  /** Accounts in id order, optionally those whose name or e-mail contains `search`. */
  async search({
    search,
    limit,
    cursor,
  }: {
    search?: string;
    limit: number;
    cursor?: string;
  }): Promise<Page<AccountSummary>> {
    const after = decodeCursor(cursor);
    return this.db.read(async (m) => {
      const q = m
        .createQueryBuilder(Account, 'a')
        .orderBy('a.id', 'ASC')
        .take(limit + 1);
      if (after) q.andWhere('a.id > :after', { after });
      if (search)
        q.andWhere(`(LOWER(a.email) LIKE :pattern ${LIKE_ESCAPE} OR LOWER(a.name) LIKE :pattern ${LIKE_ESCAPE})`, {
          pattern: likePattern(search),
        });
      return toPage(await q.getMany(), limit, (a) => a.id, toSummary);
    });
  }

  async get(id: string): Promise<AccountSummary> {
    const account = await this.db.read((m) => m.findOneBy(Account, { id }));
    if (!account) throw noAccount();
    return toSummary(account);
  }

  /** A disabled account cannot sign in, and everything it had signed in ends now: refresh tokens stop too. */
  async disable(by: string, id: string): Promise<AccountSummary> {
    return this.setDisabled(by, id, new Date());
  }

  async enable(by: string, id: string): Promise<AccountSummary> {
    return this.setDisabled(by, id, null);
  }

  private async setDisabled(by: string, id: string, at: Date | null): Promise<AccountSummary> {
    return this.db.transaction(async (m) => {
      const account = await m.findOneBy(Account, { id });
      if (!account) throw noAccount();
      if (Boolean(account.disabledAt) === Boolean(at)) return toSummary(account);
      await m.update(Account, { id }, { disabledAt: at, updatedAt: new Date() });
      if (at) await this.endSessions(id);
      await recordAudit(m, { type: at ? 'account.disabled' : 'account.enabled', actor: by, subject: id });
      return toSummary(Object.assign(account, { disabledAt: at }));
    });
  }

  async endAllSessions(by: string, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      if (!(await m.existsBy(Account, { id }))) throw noAccount();
      await this.endSessions(id);
      await recordAudit(m, { type: 'account.sessions_ended', actor: by, subject: id });
    });
  }

  /** Mails a password reset link to the address the account signs in with (queued after the answer). */
  async sendReset(by: string, id: string): Promise<void> {
    const credential = await this.db.transaction(async (m) => {
      if (!(await m.existsBy(Account, { id }))) throw noAccount();
      const found = await m.findOneBy(Credential, { accountId: id, type: 'password' });
      if (!found) throw new Unprocessable('This account has no password to reset.', 'no_password');
      await recordAudit(m, { type: 'account.reset_sent', actor: by, subject: id });
      return found;
    });
    this.accounts.requestPasswordReset(credential.identifier);
  }

  /** Deletes the account, its credentials and memberships (by cascade) and ends its sessions first. */
  async delete(by: string, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      if (!(await m.existsBy(Account, { id }))) throw noAccount();
      await this.endSessions(id);
      await m.delete(Account, { id });
      await recordAudit(m, { type: 'account.deleted', actor: by, subject: id });
    });
  }
}
