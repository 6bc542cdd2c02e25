// The outbox as operators see it: a paged listing without bodies, one message with its text, and resending.
import { In } from 'typeorm';
import { decodeCursor, type Page, toPage } from '../db/cursor.js';
import type { Database } from '../db/database.js';
import { OutboxMessage } from '../db/entities/outbox-message.js';
import { Conflict, NotFound } from '../errors.js';

export interface OutboxSummary {
  id: string;
  channel: string;
  recipient: string;
  subject: string;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export const toOutboxSummary = (m: OutboxMessage): OutboxSummary => ({
  id: m.id,
  channel: m.channel,
  recipient: m.recipient,
  subject: m.subject,
  status: m.status,
  attempts: m.attempts,
  last_error: m.lastError,
  created_at: m.createdAt.toISOString(),
  sent_at: m.sentAt?.toISOString() ?? null,
});

/** Newest first (created_at, then id); `to` keeps one recipient's messages, `status` one status. */
export async function pageMessages(
  db: Database,
  { limit, cursor, to, status }: { limit: number; cursor?: string; to?: string; status?: string },
): Promise<Page<OutboxSummary>> {
  const after = decodeCursor(cursor);
  return db.read(async (m) => {
    const q = m
      .createQueryBuilder(OutboxMessage, 'o')
      .orderBy('o.created_at', 'DESC')
      .addOrderBy('o.id', 'DESC')
      .take(limit + 1);
    if (to !== undefined) q.andWhere('o.recipient = :to', { to });
    if (status !== undefined) q.andWhere('o.status = :status', { status });
    if (after) {
      const last = await m.findOneBy(OutboxMessage, { id: after });
      if (last)
        q.andWhere('(o.created_at < :at OR (o.created_at = :at AND o.id < :after))', { at: last.createdAt, after });
    }
    return toPage(await q.getMany(), limit, (o) => o.id, toOutboxSummary);
  });
}

/**
 * Sends a sent or failed message again: it is queued, due now, with its attempts counted from zero. A
 * conditional update, so a message the worker holds (queued) is left alone.
 */
export async function resendMessage(db: Database, id: string): Promise<OutboxSummary> {
  return db.transaction(async (m) => {
    const changed = await m.update(
      OutboxMessage,
      { id, status: In(['sent', 'failed']) },
      { status: 'queued', attempts: 0, nextAttemptAt: new Date(), lastError: null, sentAt: null },
    );
    const row = await m.findOneBy(OutboxMessage, { id });
    if (!row) throw new NotFound('There is no message with this id.', 'message_not_found');
    if (changed.affected !== 1) throw new Conflict('This message is queued already.', 'already_queued');
    return toOutboxSummary(row);
  });
}
