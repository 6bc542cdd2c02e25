// The outbox's webhook channel: signs an event for its endpoint, posts it to an address the target
// policy allows, and records the attempt (status, duration, error, the start of the answer).
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Database } from '../db/database.js';
import {
  type OutboxMessage,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
} from '../db/entities/index.js';
import type { Transport } from '../delivery/transports.js';
import { MAX_ATTEMPTS } from '../delivery/worker.js';
import { timeOrderedId } from './emit.js';
import type { SecretBox } from '../keys/sealing.js';
import { signedHeaders } from './signing.js';
import { checkUrl, guardedLookup, type TargetPolicy } from './ssrf.js';

// Well inside the worker's claim lease (5 min), so a message is never sent by two workers at once.
const TIMEOUT_MS = 10_000;
const KEPT_RESPONSE_CHARS = 500;
const MAX_ERROR_CHARS = 1000;

export interface WebhookTransportOptions {
  now?: () => Date;
  timeoutMs?: number;
  /** The lookup that resolves and checks each endpoint's host (tests give one that answers for a test name). */
  lookup?: LookupFunction;
}

interface Answer {
  status: number | null;
  body: string | null;
  error: string | null;
}

export class WebhookTransport implements Transport {
  private readonly now: () => Date;
  private readonly timeoutMs: number;
  private readonly lookup: LookupFunction;

  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly policy: TargetPolicy,
    options: WebhookTransportOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
    this.lookup = options.lookup ?? guardedLookup(policy);
  }

  /** One attempt at the delivery this message carries; rejects when it did not succeed, so the worker retries. */
  async send(msg: OutboxMessage): Promise<void> {
    const number = msg.attempts + 1;
    const found = await this.db.read(async (m) => {
      const delivery = await m.findOneBy(WebhookDelivery, { outboxId: msg.id });
      if (!delivery) return undefined;
      const [endpoint, event] = await Promise.all([
        m.findOneBy(WebhookEndpoint, { id: delivery.endpointId }),
        m.findOneByOrFail(WebhookEvent, { id: delivery.eventId }),
      ]);
      return { delivery, endpoint, event };
    });
    if (!found) return;
    const { delivery, endpoint, event } = found;
    // A deleted or disabled endpoint gets nothing more; the delivery says so instead of failing eight times.
    if (!endpoint || endpoint.disabledAt) {
      await this.db.write((m) => m.update(WebhookDelivery, { id: delivery.id }, { status: 'cancelled' }));
      return;
    }
    const started = performance.now();
    const answer = await this.post(endpoint, event);
    const ok = answer.status !== null && answer.status >= 200 && answer.status < 300;
    await this.record(delivery, number, ok, answer, Math.round(performance.now() - started));
    if (!ok) throw new Error(answer.error ?? `the endpoint answered HTTP ${answer.status}`);
  }

  private secretsOf(endpoint: WebhookEndpoint): string[] {
    const secrets = [this.box.open(endpoint.secretSealed, endpoint.id)];
    if (endpoint.previousSecretSealed && endpoint.previousUntil && endpoint.previousUntil > this.now())
      secrets.push(this.box.open(endpoint.previousSecretSealed, endpoint.id));
    return secrets;
  }

  private async post(endpoint: WebhookEndpoint, event: WebhookEvent): Promise<Answer> {
    try {
      // Checked again at every attempt: the policy may have changed since the endpoint was saved.
      const url = checkUrl(endpoint.url, this.policy);
      const timestamp = Math.floor(this.now().getTime() / 1000);
      const headers = signedHeaders(this.secretsOf(endpoint), event.id, timestamp, event.payload);
      const answer = await postJson(url, headers, event.payload, this.lookup, this.timeoutMs);
      if (answer.status >= 300 && answer.status < 400)
        return { ...answer, error: `the endpoint answered HTTP ${answer.status} (redirects are not followed)` };
      return { ...answer, error: answer.status >= 400 ? `the endpoint answered HTTP ${answer.status}` : null };
    } catch (error) {
      return { status: null, body: null, error: errorText(error) };
    }
  }

  private async record(delivery: WebhookDelivery, number: number, ok: boolean, answer: Answer, durationMs: number) {
    const at = this.now();
    const status = ok ? 'succeeded' : number >= MAX_ATTEMPTS ? 'failed' : 'pending';
    await this.db.transaction(async (m) => {
      await m.insert(WebhookAttempt, {
        id: timeOrderedId(at.getTime()),
        deliveryId: delivery.id,
        number,
        responseStatus: answer.status,
        durationMs,
        error: answer.error?.slice(0, MAX_ERROR_CHARS) ?? null,
        responseBody: answer.body,
        at,
      });
      await m.update(WebhookDelivery, { id: delivery.id }, { status, attempts: number, lastAttemptAt: at });
    });
  }
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (error.name === 'AbortError' || code === 'ABORT_ERR') return 'no answer within the time limit';
  return `${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}`;
}

/** POSTs JSON without following redirects; answers the status and the start of the body. */
function postJson(
  url: URL,
  headers: Record<string, string>,
  body: string,
  lookup: LookupFunction,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Tessera-Webhooks/1',
        },
        lookup,
        // No pooled connections: each attempt connects to an address checked for it.
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        let kept = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          kept += chunk;
          // Enough is read: the rest of a large answer is not waited for.
          if (kept.length >= KEPT_RESPONSE_CHARS) response.destroy();
        });
        const done = () => resolve({ status: response.statusCode ?? 0, body: kept.slice(0, KEPT_RESPONSE_CHARS) });
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
