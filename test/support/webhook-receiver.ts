// A webhook receiver on 127.0.0.1 for tests. It verifies signatures the way the Standard Webhooks
// specification describes, written here from the specification and not with Tessera's signing code.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { within } from './waits.js';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The specification's check: headers present, timestamp within five minutes, one `v1` signature matching. */
export function verifyStandardWebhook(secret: string, { headers, body }: Received, now = Date.now()): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > 5 * 60) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  /** What the next requests are answered with (status and body), in order; then 200. */
  readonly answers: { status: number; body?: string; location?: string }[] = [];
  private waiting: (() => void)[] = [];
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        this.received.push({ path: req.url ?? '/', headers: req.headers, body });
        const answer = this.answers.shift() ?? { status: 200, body: 'ok' };
        res.writeHead(answer.status, answer.location ? { location: answer.location } : {});
        res.end(answer.body ?? '');
        for (const wake of this.waiting.splice(0)) wake();
      });
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** Waits (bounded) until `count` requests have arrived in all. */
  async waitFor(count: number, ms = 20_000): Promise<Received[]> {
    await within(
      ms,
      `${count} webhook request(s) (got ${this.received.length})`,
      (async () => {
        while (this.received.length < count) await new Promise<void>((resolve) => this.waiting.push(resolve));
      })(),
    );
    return this.received.slice(0, count);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
