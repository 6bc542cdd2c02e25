// The outbox: messages are written here inside the caller's transaction and read back by the
// delivery worker, the development mail page and the CLI.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Database } from '../db/database.js';
import { OutboxMessage } from '../db/entities/outbox-message.js';

export type Channel = OutboxMessage['channel'];

export interface NewMessage {
  channel: Channel;
  recipient: string;
  subject: string;
  bodyText: string;
  bodyHtml?: string;
}

// The column sizes: MySQL in strict mode rejects a longer value and SQLite keeps it, so refuse
// it here and both databases behave alike.
const MAX_RECIPIENT = 320;
const MAX_SUBJECT = 300;
const MAX_LIST = 500;

/**
 * Queues a message through the caller's EntityManager, so it commits or rolls back with
 * whatever caused it. Returns the message id.
 */
export async function enqueueMessage(manager: EntityManager, msg: NewMessage): Promise<string> {
  if (msg.recipient.length > MAX_RECIPIENT) throw new RangeError(`recipient is longer than ${MAX_RECIPIENT} characters`);
  if (msg.subject.length > MAX_SUBJECT) throw new RangeError(`subject is longer than ${MAX_SUBJECT} characters`);
  const now = new Date();
  const row = manager.create(OutboxMessage, {
    id: randomUUID(),
    channel: msg.channel,
    recipient: msg.recipient,
    subject: msg.subject,
    bodyText: msg.bodyText,
    bodyHtml: msg.bodyHtml ?? null,
    status: 'queued',
    attempts: 0,
    lastError: null,
    nextAttemptAt: now,
    createdAt: now,
    sentAt: null,
  });
  await manager.insert(OutboxMessage, row);
  return row.id;
}

/** Newest messages first, optionally only those to one recipient. */
export async function listMessages(db: Database, options: { limit: number; recipient?: string }): Promise<OutboxMessage[]> {
  const take = Math.min(Math.max(Math.trunc(options.limit), 1), MAX_LIST);
  const where = options.recipient === undefined ? {} : { recipient: options.recipient };
  return db.read((m) => m.find(OutboxMessage, { where, order: { createdAt: 'DESC' }, take }));
}

export async function getMessage(db: Database, id: string): Promise<OutboxMessage | null> {
  return db.read((m) => m.findOneBy(OutboxMessage, { id }));
}
