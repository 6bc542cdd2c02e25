// Sends what the outbox holds: claims each due message, hands it to its channel's transport,
// and records the outcome with retries. Safe to run in several instances at once.
import { In, LessThanOrEqual, type QueryDeepPartialEntity } from 'typeorm';
import type { Database } from '../db/database.js';
import { OutboxMessage } from '../db/entities/outbox-message.js';
import type { Channel } from './outbox.js';
import type { Transports } from './transports.js';

/** The part of a pino logger the worker uses. It never receives a body, subject or link. */
export interface DeliveryLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DeliveryWorkerOptions {
  /** The worker's clock; tests move it forward instead of waiting for a backoff. */
  now?: () => Date;
  /** How many due messages one run takes. */
  batchSize?: number;
}

export const MAX_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 60 * 60_000;
// How long a claim keeps other workers away; longer than any transport's timeouts, so a message
// is taken again only when the worker that claimed it died.
const LEASE_MS = 5 * 60_000;
const SENT_RETENTION_MS = 7 * 24 * 60 * 60_000;
const CLEANUP_EVERY_MS = 60 * 60_000;
const MAX_ERROR_LENGTH = 1000;
const CHANNELS: Channel[] = ['email', 'sms', 'webhook'];

/** The wait before the next try, after `attempts` tries have failed: 30 s, 1 min, 2 min, … up to 1 h. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(attempts - 1, 0), BACKOFF_MAX_MS);
}

export class DeliveryWorker {
  private readonly now: () => Date;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  private lastCleanupAt = -Infinity;

  constructor(
    private readonly db: Database,
    private readonly transports: Transports,
    private readonly logger: DeliveryLogger,
    options: DeliveryWorkerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.batchSize = options.batchSize ?? 50;
  }

  /** Runs the worker every `intervalMs` until stop(); a full batch runs again at once. */
  start(intervalMs = 1000): void {
    if (this.running) return;
    this.running = true;
    const tick = () => {
      this.inFlight = this.runLogged().then((sent) => {
        this.inFlight = undefined;
        if (this.running) this.timer = setTimeout(tick, sent >= this.batchSize ? 0 : intervalMs).unref();
      });
    };
    tick();
  }

  /** Stops the loop and waits for the run in progress, so no send is cut off at shutdown. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /** Sends the messages that are due now; returns how many were sent. */
  async runOnce(): Promise<number> {
    await this.cleanUpIfDue();
    let sent = 0;
    for (const msg of await this.findDue()) {
      if (await this.deliver(msg)) sent++;
    }
    return sent;
  }

  private async runLogged(): Promise<number> {
    try {
      return await this.runOnce();
    } catch (err) {
      this.logger.error({ error: errorText(err) }, 'outbox delivery run failed');
      return 0;
    }
  }

  // Channels without a transport are left out: their messages stay queued, untouched, to be read.
  private async findDue(): Promise<OutboxMessage[]> {
    const channels = CHANNELS.filter((c) => this.transports[c]);
    if (channels.length === 0) return [];
    return this.db.read((m) =>
      m.find(OutboxMessage, {
        where: { status: 'queued', channel: In(channels), nextAttemptAt: LessThanOrEqual(this.now()) },
        order: { nextAttemptAt: 'ASC' },
        take: this.batchSize,
      }),
    );
  }

  /** Claims, sends and records one message; false when another worker had it or the send failed. */
  private async deliver(msg: OutboxMessage): Promise<boolean> {
    const transport = this.transports[msg.channel];
    if (!transport || !(await this.claim(msg))) return false;
    const attempts = msg.attempts + 1;
    const log = { id: msg.id, channel: msg.channel, attempts };
    try {
      await transport.send(msg);
    } catch (err) {
      const failed = await this.recordFailure(msg, attempts, failureText(err, msg));
      this.logger.warn(
        { ...log, status: failed ? 'failed' : 'queued' },
        failed ? 'message failed for good' : 'message send failed; will retry',
      );
      return false;
    }
    if (!(await this.recordSent(msg.id, attempts)))
      this.logger.warn(log, 'message sent after its claim ran out; it may be sent twice');
    else this.logger.info(log, 'message sent');
    return true;
  }

  /**
   * Takes the message for this worker: only one UPDATE can move `attempts` on from the value we
   * read, so of two workers that saw the same row exactly one gets it. The lease keeps it from
   * being due again while we send.
   */
  private async claim(msg: OutboxMessage): Promise<boolean> {
    const leaseUntil = new Date(this.now().getTime() + LEASE_MS);
    return this.updateClaimed(msg.id, msg.attempts, { attempts: () => 'attempts + 1', nextAttemptAt: leaseUntil });
  }

  private async recordSent(id: string, attempts: number): Promise<boolean> {
    return this.updateClaimed(id, attempts, { status: 'sent', sentAt: this.now(), lastError: null });
  }

  /** Schedules a retry with backoff, or gives up after MAX_ATTEMPTS; true when it gave up. */
  private async recordFailure(msg: OutboxMessage, attempts: number, lastError: string): Promise<boolean> {
    const giveUp = attempts >= MAX_ATTEMPTS;
    const next = giveUp ? {} : { nextAttemptAt: new Date(this.now().getTime() + backoffMs(attempts)) };
    await this.updateClaimed(msg.id, attempts, { status: giveUp ? 'failed' : 'queued', lastError, ...next });
    return giveUp;
  }

  // Every write is conditional on the attempt count we hold, so a worker whose lease ran out
  // cannot overwrite the record of the worker that took the message after it.
  private async updateClaimed(
    id: string,
    attempts: number,
    values: QueryDeepPartialEntity<OutboxMessage>,
  ): Promise<boolean> {
    const result = await this.db.write((m) =>
      m
        .createQueryBuilder()
        .update(OutboxMessage)
        .set(values)
        .where('id = :id AND status = :queued AND attempts = :attempts', { id, queued: 'queued', attempts })
        .execute(),
    );
    return result.affected === 1;
  }

  /** Deletes sent messages older than a week, at most once an hour. */
  private async cleanUpIfDue(): Promise<void> {
    const now = this.now().getTime();
    if (now - this.lastCleanupAt < CLEANUP_EVERY_MS) return;
    this.lastCleanupAt = now;
    const cutoff = new Date(now - SENT_RETENTION_MS);
    await this.db.write((m) =>
      m
        .createQueryBuilder()
        .delete()
        .from(OutboxMessage)
        .where('status = :sent AND sent_at < :cutoff', { sent: 'sent', cutoff })
        .execute(),
    );
  }
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return `${err.name}: ${err.message}${typeof code === 'string' ? ` (${code})` : ''}`;
}

/**
 * The error kept in last_error. A server may echo what it was sent, so anything of the message
 * (body, subject) and any URL (links carry tokens) is cut out before it is stored.
 */
export function failureText(err: unknown, msg: Pick<OutboxMessage, 'subject' | 'bodyText' | 'bodyHtml'>): string {
  let text = errorText(err);
  for (const secret of [msg.bodyText, msg.bodyHtml, msg.subject]) {
    if (secret) text = text.split(secret).join('[message]');
  }
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]').slice(0, MAX_ERROR_LENGTH);
}
