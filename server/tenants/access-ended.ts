// Announces ends of access: a role or membership ends by the clock, with no change to record it (tokens stop
// carrying it at their next issuance), so a sweep records `membership.access_ended` once for each.
import type { EntityManager } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import type { Database } from '../db/database.js';
import { Membership, MembershipRole } from '../db/entities/index.js';

const BATCH = 100;
const endedUnrecorded = (p: string) => `${p}expires_at <= :now AND ${p}ended_recorded_at IS NULL`;

interface Due {
  membershipId: string;
  tenantId: string;
  accountId: string;
  /** The role that ended; undefined: the membership itself. */
  role?: string;
}

async function dueRoles(m: EntityManager, now: Date): Promise<Due[]> {
  const rows = await m
    .createQueryBuilder(MembershipRole, 'r')
    .innerJoin(Membership, 'mb', 'mb.id = r.membership_id')
    .select([
      'r.membership_id AS membership_id',
      'r.role AS role',
      'r.tenant_id AS tenant_id',
      'mb.account_id AS account_id',
    ])
    .where(endedUnrecorded('r.'), { now })
    .orderBy('r.membership_id', 'ASC')
    .addOrderBy('r.role', 'ASC')
    .limit(BATCH)
    .getRawMany<{ membership_id: string; role: string; tenant_id: string; account_id: string }>();
  return rows.map((r) => ({
    membershipId: r.membership_id,
    role: r.role,
    tenantId: r.tenant_id,
    accountId: r.account_id,
  }));
}

async function dueMemberships(m: EntityManager, now: Date): Promise<Due[]> {
  const rows = await m
    .createQueryBuilder(Membership, 'mb')
    .where(endedUnrecorded('mb.'), { now })
    .orderBy('mb.id', 'ASC')
    .take(BATCH)
    .getMany();
  return rows.map((r) => ({ membershipId: r.id, tenantId: r.tenantId, accountId: r.accountId }));
}

/** Claims one end with a conditional update (its row count checked) and records it in the same transaction. */
async function record(db: Database, due: Due, now: Date): Promise<boolean> {
  return db.transaction(async (m) => {
    const q = m
      .createQueryBuilder()
      .update(due.role ? MembershipRole : Membership)
      .set({ endedRecordedAt: now });
    const claimed = due.role
      ? await q
          .where(`membership_id = :id AND role = :role AND ${endedUnrecorded('')}`, {
            id: due.membershipId,
            role: due.role,
            now,
          })
          .execute()
      : await q.where(`id = :id AND ${endedUnrecorded('')}`, { id: due.membershipId, now }).execute();
    if (claimed.affected !== 1) return false;
    await recordAudit(m, {
      type: 'membership.access_ended',
      actor: 'system',
      tenantId: due.tenantId,
      subject: due.accountId,
      data: { membership_id: due.membershipId, ...(due.role ? { roles: [due.role] } : { whole: true }) },
    });
    return true;
  });
}

/**
 * Records every role and membership end that passed by `now` and was not recorded yet; returns how many.
 * Of several instances sweeping at once exactly one records each end; a moved end (renewal, an admin's
 * extension) clears the mark, so its next passing is announced again.
 */
export async function recordEndedAccess(db: Database, now = new Date()): Promise<number> {
  let recorded = 0;
  for (const find of [dueRoles, dueMemberships]) {
    for (;;) {
      const due = await db.read((m) => find(m, now));
      for (const item of due) if (await record(db, item, now)) recorded++;
      if (due.length < BATCH) break;
    }
  }
  return recorded;
}
