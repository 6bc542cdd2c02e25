// The audit trail as operators read it: filtered by type, actor, tenant and time, newest first, paged or whole.
import type { Database } from '../db/database.js';
import { decodePosition, orderFrom, timeKey, type TwoWayPage, toTwoWayPage } from '../db/cursor.js';
import { AuditEvent } from '../db/entities/index.js';

export interface AuditFilter {
  type?: string;
  actor?: string;
  tenant_id?: string;
  subject?: string;
  since?: Date;
  until?: Date;
}

export interface AuditView {
  id: string;
  type: string;
  actor: string | null;
  tenant_id: string | null;
  subject: string | null;
  data: Record<string, unknown> | null;
  at: string;
}

const toView = (e: AuditEvent): AuditView => ({
  id: e.id,
  type: e.type,
  actor: e.actor,
  tenant_id: e.tenantId,
  subject: e.subject,
  data: e.data ? (JSON.parse(e.data) as Record<string, unknown>) : null,
  at: e.at.toISOString(),
});

export async function listAuditEvents(
  db: Database,
  filter: AuditFilter & { limit: number; cursor?: string },
): Promise<TwoWayPage<AuditView>> {
  const at = decodePosition(filter.cursor);
  return db.read(async (m) => {
    const q = m.createQueryBuilder(AuditEvent, 'e').take(filter.limit + 1);
    if (filter.type !== undefined) q.andWhere('e.type = :type', { type: filter.type });
    if (filter.actor !== undefined) q.andWhere('e.actor = :actor', { actor: filter.actor });
    if (filter.tenant_id !== undefined) q.andWhere('e.tenant_id = :tenant', { tenant: filter.tenant_id });
    if (filter.subject !== undefined) q.andWhere('e.subject = :subject', { subject: filter.subject });
    if (filter.since !== undefined) q.andWhere('e.at >= :since', { since: filter.since });
    if (filter.until !== undefined) q.andWhere('e.at < :until', { until: filter.until });
    orderFrom(q, 'e.at', 'e.id', 'DESC', at, timeKey);
    const rows = await q.getMany();
    return toTwoWayPage(rows, filter.limit, at, (e) => ({ key: e.at.toISOString(), id: e.id }), toView);
  });
}

/** Every matching event as JSON lines, newest first, read a page at a time so no one query holds them all. */
export async function exportAuditEvents(db: Database, filter: AuditFilter): Promise<string> {
  const lines: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAuditEvents(db, { ...filter, limit: 500, cursor });
    for (const event of page.items) lines.push(JSON.stringify(event));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
