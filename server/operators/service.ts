// Operators: the accounts that run this Tessera. Granted and removed by other operators; the last one stays.
// The first is made through a one-time setup link (or TESSERA_BOOTSTRAP_ADMIN_EMAIL, or the CLI).
import { createHash, randomBytes } from 'node:crypto';
import { type EntityManager, IsNull, MoreThan } from 'typeorm';
import { accountSigningInWith } from '../accounts/administration.js';
import { displayNamesOf } from '../accounts/profiles.js';
import { recordAudit } from '../db/audit.js';
import { writeGuard } from '../db/cluster.js';
import { decodeCursor, type Page, toPage } from '../db/cursor.js';
import type { Database } from '../db/database.js';
import { Account, Operator, OperatorSetupLink } from '../db/entities/index.js';
import { Conflict, NotFound, Unprocessable } from '../errors.js';

/** How long a setup link works: long enough to register, short enough that a leaked log line soon means nothing. */
export const SETUP_LINK_TTL_MS = 60 * 60 * 1000;

export interface OperatorView {
  account_id: string;
  name: string | null;
  granted_by: string | null;
  created_at: string;
}

export interface SetupLink {
  url: string;
  expires_at: string;
}

/** What a start found or did about the first operator. */
export type FirstStart =
  | { kind: 'has_operators' }
  | { kind: 'bootstrapped'; accountId: string }
  | { kind: 'link_issued'; link: SetupLink }
  | { kind: 'link_pending'; expiresAt: Date };

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Serialises every change to the operator set: on MySQL a guard row is written first (lock first, then read
 * what the rule depends on), so two removals cannot each see the other operator and leave none. sql.js
 * access is serialised already.
 */
async function lockOperators(m: EntityManager): Promise<void> {
  await writeGuard(m, 'operators');
}

export class OperatorService {
  constructor(
    private readonly db: Database,
    private readonly issuer: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Read at every operator API call: the role counts from the moment it is granted until it is removed. */
  async isOperator(accountId: string): Promise<boolean> {
    return this.db.read((m) => m.existsBy(Operator, { accountId }));
  }

  async count(): Promise<number> {
    return this.db.read((m) => m.count(Operator));
  }

  async list({ limit, cursor }: { limit: number; cursor?: string }): Promise<Page<OperatorView>> {
    const after = decodeCursor(cursor);
    return this.db.read(async (m) => {
      const q = m
        .createQueryBuilder(Operator, 'o')
        .orderBy('o.account_id', 'ASC')
        .take(limit + 1);
      if (after) q.where('o.account_id > :after', { after });
      const rows = await q.getMany();
      const names = await displayNamesOf(
        m,
        rows.map((r) => r.accountId),
      );
      return toPage(
        rows,
        limit,
        (o) => o.accountId,
        (o) => ({
          account_id: o.accountId,
          name: names.get(o.accountId) ?? null,
          granted_by: o.grantedBy,
          created_at: o.createdAt.toISOString(),
        }),
      );
    });
  }

  /** Makes an account an operator (by id, or by the e-mail it signs in with); already one is no error. */
  async grant(by: string, who: { accountId?: string; email?: string }): Promise<OperatorView> {
    return this.db.transaction(async (m) => {
      await lockOperators(m);
      const accountId = await this.resolve(m, who);
      return this.insert(m, by, accountId);
    });
  }

  private async resolve(m: EntityManager, { accountId, email }: { accountId?: string; email?: string }) {
    const id = accountId ?? (email ? await accountSigningInWith(m, email) : undefined);
    if (!id || !(await m.existsBy(Account, { id })))
      throw new Unprocessable('There is no such account to make an operator.', 'account_not_found');
    return id;
  }

  private async insert(m: EntityManager, by: string, accountId: string): Promise<OperatorView> {
    const existing = await m.findOneBy(Operator, { accountId });
    const row = existing ?? Object.assign(new Operator(), { accountId, grantedBy: by, createdAt: this.now() });
    if (!existing) {
      await m.insert(Operator, row);
      await recordAudit(m, { type: 'operator.granted', actor: by, subject: accountId });
    }
    const names = await displayNamesOf(m, [accountId]);
    return {
      account_id: accountId,
      name: names.get(accountId) ?? null,
      granted_by: row.grantedBy,
      created_at: row.createdAt.toISOString(),
    };
  }

  /** Takes the role away; the last operator keeps it, so someone can always run this Tessera. */
  async revoke(by: string, accountId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      await this.assertNotLast(m, accountId);
      await m.delete(Operator, { accountId });
      await recordAudit(m, { type: 'operator.revoked', actor: by, subject: accountId });
    });
  }

  /**
   * Throws 409 when `accountId` is the last operator (and 404 when it is none). Takes the lock first: call it
   * at the start of any transaction that removes, disables or deletes an operator's account.
   */
  async assertNotLast(m: EntityManager, accountId: string, { mustBeOne = true } = {}): Promise<void> {
    await lockOperators(m);
    if (!(await m.existsBy(Operator, { accountId }))) {
      if (mustBeOne) throw new NotFound('This account is not an operator.', 'operator_not_found');
      return;
    }
    if ((await m.count(Operator)) <= 1)
      throw new Conflict('This is the last operator: make another operator first.', 'last_operator');
  }

  /**
   * Issues a new setup link (the previous unused ones stop working). Only while there is no operator:
   * afterwards operators grant the role themselves.
   */
  async issueSetupLink(): Promise<SetupLink> {
    return this.db.withLock('operator-setup', async (m) => {
      if ((await m.count(Operator)) > 0)
        throw new Conflict('There is an operator already: operators grant the role to others.', 'has_operators');
      return this.newLink(m);
    });
  }

  private async newLink(m: EntityManager): Promise<SetupLink> {
    const now = this.now();
    await m.update(OperatorSetupLink, { usedAt: IsNull() }, { usedAt: now });
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + SETUP_LINK_TTL_MS);
    await m.insert(OperatorSetupLink, {
      id: crypto.randomUUID(),
      tokenHash: hashToken(token),
      createdAt: now,
      expiresAt,
      usedAt: null,
      usedBy: null,
    });
    await recordAudit(m, { type: 'operator.setup_link_issued', actor: 'setup' });
    return { url: `${this.issuer}/setup/${token}`, expires_at: expiresAt.toISOString() };
  }

  /**
   * At every start: with no operator, makes the bootstrap account one (when configured and it exists), else
   * issues a setup link unless one still works. Under a lock, so instances starting together issue one link.
   */
  async firstStart(bootstrapEmail?: string): Promise<FirstStart> {
    return this.db.withLock('operator-setup', async (m): Promise<FirstStart> => {
      await lockOperators(m);
      if ((await m.count(Operator)) > 0) return { kind: 'has_operators' };
      const bootstrap = bootstrapEmail ? await accountSigningInWith(m, bootstrapEmail) : undefined;
      if (bootstrap) {
        await this.insert(m, 'bootstrap', bootstrap);
        return { kind: 'bootstrapped', accountId: bootstrap };
      }
      const pending = await m.findOne(OperatorSetupLink, {
        where: { usedAt: IsNull(), expiresAt: MoreThan(this.now()) },
        order: { expiresAt: 'DESC' },
      });
      if (pending) return { kind: 'link_pending', expiresAt: pending.expiresAt };
      return { kind: 'link_issued', link: await this.newLink(m) };
    });
  }

  /** Whether a setup link still works (GET shows the page; nothing changes). */
  async setupLinkWorks(token: string): Promise<boolean> {
    return this.db.read(async (m) => {
      if ((await m.count(Operator)) > 0) return false;
      return m.existsBy(OperatorSetupLink, {
        tokenHash: hashToken(token),
        usedAt: IsNull(),
        expiresAt: MoreThan(this.now()),
      });
    });
  }

  /**
   * Spends the link and makes the account the first operator, in one transaction: the link is used by a
   * conditional update that must change exactly one row, and only while there is still no operator.
   */
  async redeemSetupLink(token: string, accountId: string): Promise<boolean> {
    return this.db.transaction(async (m) => {
      await lockOperators(m);
      if ((await m.count(Operator)) > 0) return false;
      const now = this.now();
      const spent = await m.update(
        OperatorSetupLink,
        { tokenHash: hashToken(token), usedAt: IsNull(), expiresAt: MoreThan(now) },
        { usedAt: now, usedBy: accountId },
      );
      if (spent.affected !== 1) return false;
      await this.insert(m, 'setup-link', accountId);
      return true;
    });
  }
}
