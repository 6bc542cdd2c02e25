// The outbox: messages are written here inside the caller's transaction and read back by the
// delivery worker, the development mail page and the CLI.
import { randomUUID } from 'node:crypto';
import { type EntityManager, In } from 'typeorm';
import type { Database } from '../db/database.js';
import { countUse } from '../db/counter.js';
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
  if (msg.recipient.length > MAX_RECIPIENT)
    throw new RangeError(`recipient is longer than ${MAX_RECIPIENT} characters`);
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

/** Newest messages first, optionally only those to one recipient, or on some channels. */
export async function listMessages(
  db: Database,
  options: { limit: number; recipient?: string; channels?: Channel[] },
): Promise<OutboxMessage[]> {
  const take = Math.min(Math.max(Math.trunc(options.limit), 1), MAX_LIST);
  const where = {
    ...(options.recipient === undefined ? {} : { recipient: options.recipient }),
    ...(options.channels ? { channel: In(options.channels) } : {}),
  };
  return db.read((m) => m.find(OutboxMessage, { where, order: { createdAt: 'DESC' }, take }));
}

export async function getMessage(db: Database, id: string): Promise<OutboxMessage | null> {
  return db.read((m) => m.findOneBy(OutboxMessage, { id }));
}

/** How many messages one address may receive, and one sender may cause, per hour (all tenants together). */
export interface MailLimits {
  perRecipientPerHour: number;
  perSenderPerHour: number;
}

/** No limits: for tools (CLI, seeds, benchmarks) that build services without the server's configuration. */
export const UNLIMITED_MAIL: MailLimits = {
  perRecipientPerHour: Number.MAX_SAFE_INTEGER,
  perSenderPerHour: Number.MAX_SAFE_INTEGER,
};

export type Queued =
  | { queued: true; id: string }
  | { queued: false; limit: 'recipient' | 'sender'; retryAfterSeconds: number };

/**
 * Queues a message unless its recipient, or its sender (who caused it: an account id or `client:<id>`),
 * had their hour's worth. Counted in the database on the caller's connection, so every instance shares
 * the count and a refused request that rolls back spends nothing. The caller decides what a refusal
 * means: an error for an invitation, silence for a notice whose answer must not differ.
 */
export async function enqueueWithinLimits(
  manager: EntityManager,
  msg: NewMessage,
  limits: MailLimits,
  sender?: string,
): Promise<Queued> {
  const hour = 3600;
  // Sender before recipient, always: one lock order for every transaction, so they cannot deadlock.
  if (sender !== undefined) {
    const bySender = await countUse(
      manager,
      { keyPrefix: 'mail-sender', points: limits.perSenderPerHour, durationSeconds: hour },
      sender,
    );
    if (!bySender.allowed) return { queued: false, limit: 'sender', retryAfterSeconds: bySender.retryAfterSeconds };
  }
  const recipient = msg.channel === 'email' ? msg.recipient.trim().toLowerCase() : msg.recipient;
  const byRecipient = await countUse(
    manager,
    { keyPrefix: 'mail-recipient', points: limits.perRecipientPerHour, durationSeconds: hour },
    recipient,
  );
  if (!byRecipient.allowed)
    return { queued: false, limit: 'recipient', retryAfterSeconds: byRecipient.retryAfterSeconds };
  return { queued: true, id: await enqueueMessage(manager, msg) };
}
