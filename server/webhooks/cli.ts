// The operators' webhook endpoints (tenant_id null: every tenant's events) on the command line.
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.js';
import { addAuditListener } from '../db/audit.js';
import { type Database, openDatabase } from '../db/database.js';
import { AppError } from '../errors.js';
import { emitAudited } from './emit.js';
import { EVENT_TYPES, type EventType } from './events.js';
import type { DeliveryView, EndpointView } from './schemas.js';
import type { Owner, WebhookService } from './service.js';
import { loadSealingKeys } from '../keys/sealing.js';
import { setUpWebhooks } from './setup.js';

const out = (line = '') => {
  process.stdout.write(`${line}\n`);
};
const OPERATOR: Owner = { kind: 'operator', actor: 'cli' };

/** Opens the database, runs one webhook command with the service, closes; a refused command exits with 1. */
function withWebhooks<A extends unknown[]>(action: (webhooks: WebhookService, ...args: A) => Promise<void>) {
  return async (...args: A) => {
    let db: Database | undefined;
    try {
      const config = loadConfig();
      db = await openDatabase(config.database);
      await db.migrate();
      await action(setUpWebhooks(db, config, await loadSealingKeys(db, config.secretEncryptionKeys)).service, ...args);
    } catch (error) {
      process.stderr.write(`error: ${error instanceof AppError ? error.description : (error as Error).message}\n`);
      process.exitCode = 1;
    } finally {
      await db?.close();
    }
  };
}

const eventList = (value: string, previous: EventType[] = []): EventType[] => {
  const events = value === 'all' ? [...EVENT_TYPES] : value.split(',').map((v) => v.trim());
  const unknown = events.filter((e) => !(EVENT_TYPES as readonly string[]).includes(e));
  if (unknown.length)
    throw new InvalidArgumentError(`unknown event ${unknown.join(', ')} (known: ${EVENT_TYPES.join(', ')})`);
  return [...new Set([...previous, ...(events as EventType[])])];
};
const count = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
};

const showEndpoint = (e: EndpointView) =>
  out(
    `${e.id}  ${e.enabled ? 'enabled ' : 'disabled'}  ${e.url}  events: ${e.events.join(',')}${e.description ? `  "${e.description}"` : ''}`,
  );
const showDelivery = (d: DeliveryView) =>
  out(`${d.id}  ${d.created_at}  ${d.status.padEnd(9)}  attempts: ${d.attempts}  ${d.event_type}  event ${d.event_id}`);

/** Adds the webhooks:* commands; a CLI that can emit events (accounts:create …) announces them to webhooks too. */
export function registerWebhookCommands(program: Command): void {
  addAuditListener(emitAudited);

  program
    .command('webhooks:create')
    .description("register an operator's webhook endpoint (every tenant's events); prints its secret once")
    .requiredOption('--url <url>', 'where to post (https outside development)')
    .requiredOption(
      '--event <types>',
      `event types, comma-separated or repeated, or "all" (${EVENT_TYPES.join(', ')})`,
      eventList,
    )
    .option('--description <text>')
    .action(
      withWebhooks(async (webhooks, opts: { url: string; event: EventType[]; description?: string }) => {
        const created = await webhooks.create(OPERATOR, {
          url: opts.url,
          events: opts.event,
          description: opts.description,
        });
        showEndpoint(created);
        out(
          `secret: ${created.secret}\n(the secret is shown only now: store it where the receiver verifies signatures)`,
        );
      }),
    );

  program
    .command('webhooks:list')
    .description("list the operators' webhook endpoints (never their secrets)")
    .action(
      withWebhooks(async (webhooks) => {
        const page = await webhooks.list(OPERATOR, { limit: 100 });
        if (!page.items.length) out('no webhook endpoints');
        for (const e of page.items) showEndpoint(e);
      }),
    );

  program
    .command('webhooks:update <id>')
    .description('change an endpoint: URL, events, description; disable or enable it')
    .option('--url <url>')
    .option('--event <types>', 'the new event types (replace the old)', eventList)
    .option('--description <text>')
    .option('--disable', 'stop delivering to it')
    .option('--enable', 'deliver to it again')
    .action(
      withWebhooks(
        async (
          webhooks,
          id: string,
          opts: { url?: string; event?: EventType[]; description?: string; disable?: boolean; enable?: boolean },
        ) => {
          if (opts.disable && opts.enable) throw new InvalidArgumentError('give --disable or --enable, not both');
          const enabled = opts.disable ? false : opts.enable ? true : undefined;
          showEndpoint(
            await webhooks.update(OPERATOR, id, {
              url: opts.url,
              events: opts.event,
              description: opts.description,
              enabled,
            }),
          );
        },
      ),
    );

  program
    .command('webhooks:delete <id>')
    .description('delete an endpoint and its delivery log')
    .action(
      withWebhooks(async (webhooks, id: string) => {
        await webhooks.remove(OPERATOR, id);
        out(`deleted ${id}`);
      }),
    );

  program
    .command('webhooks:rotate-secret <id>')
    .description('a new signing secret (printed once); the previous one keeps signing during the overlap')
    .option('--overlap-seconds <n>', 'how long the previous secret still signs', count, 24 * 3600)
    .action(
      withWebhooks(async (webhooks, id: string, opts: { overlapSeconds: number }) => {
        const rotated = await webhooks.rotateSecret(OPERATOR, id, opts.overlapSeconds);
        out(`secret: ${rotated.secret}\nthe previous secret signs too until ${rotated.previous_secret_valid_until}`);
      }),
    );

  program
    .command('webhooks:ping <id>')
    .description('queue a webhook.ping event to the endpoint')
    .action(withWebhooks(async (webhooks, id: string) => showDelivery(await webhooks.ping(OPERATOR, id))));

  program
    .command('webhooks:deliveries <id>')
    .description("an endpoint's delivery log, newest first")
    .option('--limit <n>', 'how many', count, 20)
    .action(
      withWebhooks(async (webhooks, id: string, opts: { limit: number }) => {
        const page = await webhooks.deliveries(OPERATOR, id, { limit: Math.min(Math.max(opts.limit, 1), 100) });
        if (!page.items.length) out('no deliveries');
        for (const d of page.items) showDelivery(d);
      }),
    );

  program
    .command('webhooks:delivery <id> <deliveryId>')
    .description('one delivery: its payload and each attempt')
    .action(
      withWebhooks(async (webhooks, id: string, deliveryId: string) => {
        const d = await webhooks.delivery(OPERATOR, id, deliveryId);
        showDelivery(d);
        out(`payload: ${JSON.stringify(d.payload)}`);
        for (const a of d.attempt_log)
          out(
            `  #${a.number}  ${a.at}  ${a.response_status ?? '-'}  ${a.duration_ms} ms${a.error ? `  ${a.error}` : ''}${a.response_body ? `  answer: ${JSON.stringify(a.response_body)}` : ''}`,
          );
      }),
    );

  program
    .command('webhooks:replay <id> <deliveryId>')
    .description("send a delivery's event again (same webhook-id)")
    .action(
      withWebhooks(async (webhooks, id: string, deliveryId: string) =>
        showDelivery(await webhooks.replay(OPERATOR, id, deliveryId)),
      ),
    );
}
