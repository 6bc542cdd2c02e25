// Announces expiries: an invitation's status turns `expired` by the clock, with no change to record it,
// so a sweep records `invitation.expired` once for each (audit, and the webhooks listening to it).
import { Invitation } from '../db/entities/index.js';
import type { Database } from '../db/database.js';
import { recordAudit } from '../db/audit.js';

const BATCH = 100;
// The same rule as statusOf: still open, not used up, past its expiry; and not announced yet.
const expiredUnrecorded = (p: string) =>
  `${p}revoked_at IS NULL AND ${p}ended_at IS NULL AND ${p}use_count < ${p}max_uses AND ${p}expires_at <= :now` +
  ` AND ${p}expiry_recorded_at IS NULL`;

/**
 * Records the expiry of every invitation that expired by `now` and was not recorded yet; returns how many.
 * Each is claimed by a conditional update whose row count is checked, in the transaction that records the
 * event: of several instances sweeping at once exactly one records it, and a crash leaves nothing half done.
 */
export async function recordExpiredInvitations(db: Database, now = new Date()): Promise<number> {
  let recorded = 0;
  for (;;) {
    const due = await db.read((m) =>
      m
        .createQueryBuilder(Invitation, 'i')
        .select(['i.id', 'i.tenantId'])
        .where(expiredUnrecorded('i.'), { now })
        .orderBy('i.id', 'ASC')
        .take(BATCH)
        .getMany(),
    );
    for (const invitation of due) {
      const claimed = await db.transaction(async (m) => {
        const result = await m
          .createQueryBuilder()
          .update(Invitation)
          .set({ expiryRecordedAt: now })
          .where(`id = :id AND ${expiredUnrecorded('')}`, { id: invitation.id, now })
          .execute();
        if (result.affected !== 1) return false;
        await recordAudit(m, {
          type: 'invitation.expired',
          actor: 'system',
          tenantId: invitation.tenantId,
          subject: invitation.id,
        });
        return true;
      });
      if (claimed) recorded++;
    }
    if (due.length < BATCH) return recorded;
  }
}
