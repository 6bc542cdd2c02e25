// Writes audit events in the caller's transaction, so an event exists exactly when its change does.
import type { EntityManager } from 'typeorm';
import { AuditEvent } from './entities/index.js';

export interface AuditRecord {
  type: string;
  /** Who acted: an account id, `client:<id>`, or `cli`. */
  actor?: string | null;
  tenantId?: string | null;
  /** What was acted on, e.g. an account id or a client id. */
  subject?: string | null;
  /** Non-secret details; never tokens, codes or passwords. */
  data?: Record<string, unknown>;
}

export async function recordAudit(m: EntityManager, record: AuditRecord): Promise<void> {
  await m.insert(AuditEvent, {
    id: crypto.randomUUID(),
    type: record.type,
    actor: record.actor ?? null,
    tenantId: record.tenantId ?? null,
    subject: record.subject ?? null,
    data: record.data ? JSON.stringify(record.data) : null,
    at: new Date(),
  });
}
