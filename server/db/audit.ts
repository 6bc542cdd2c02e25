// Writes audit events in the caller's transaction, so an event exists exactly when its change does.
// Listeners (webhooks, wired by app.ts) see each event in that same transaction, so what they write
// commits or rolls back with it; db/ knows nothing of them.
import type { EntityManager } from 'typeorm';
import { runStatement } from './statement.js';

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

/** Called with every recorded event, inside the transaction that records it; a throw rolls the change back. */
export type AuditListener = (m: EntityManager, record: AuditRecord & { id: string; at: Date }) => Promise<void>;

const listeners = new Set<AuditListener>();

/** Adds a listener for the whole process (adding the same one twice keeps one); returns its removal. */
export function addAuditListener(listener: AuditListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Fixed SQL (the table of the AuditEvent entity): events are written on hot paths, and query building cost more than the insert. */
const INSERT_EVENT =
  'INSERT INTO audit_events (id, type, actor, tenant_id, subject, data, at) VALUES (:id, :type, :actor, :tenantId, :subject, :data, :at)';

export async function recordAudit(m: EntityManager, record: AuditRecord): Promise<void> {
  const event = { ...record, id: crypto.randomUUID(), at: new Date() };
  await runStatement(m, INSERT_EVENT, {
    id: event.id,
    type: record.type,
    actor: record.actor ?? null,
    tenantId: record.tenantId ?? null,
    subject: record.subject ?? null,
    data: record.data ? JSON.stringify(record.data) : null,
    at: event.at,
  });
  for (const listener of listeners) await listener(m, event);
}
