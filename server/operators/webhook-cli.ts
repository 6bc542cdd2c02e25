// The operators' webhook endpoints (tenant_id null: every tenant's events) on the command line: each command is
// an operation of the operator API (webhook-operations.ts), carried by the CLI's transport.
import { type Command, InvalidArgumentError } from 'commander';
import { type Act, all, type Obj, type Printer, str } from './cli.js';
import { EVENT_TYPES, type EventType } from '../webhooks/events.js';

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

const showEndpoint = (e: Obj, print: Printer) =>
  print.line(
    `${str(e.id)}  ${e.enabled ? 'enabled ' : 'disabled'}  ${str(e.url)}  events: ${(e.events as string[]).join(',')}${e.description ? `  "${str(e.description)}"` : ''}`,
  );
const showDelivery = (d: Obj, print: Printer) =>
  print.line(
    `${str(d.id)}  ${str(d.created_at)}  ${str(d.status).padEnd(9)}  attempts: ${str(d.attempts)}  ${str(d.event_type)}  event ${str(d.event_id)}`,
  );

const endpoint = (id: string) => ({ params: { endpointId: id } });
const ofDelivery = (id: string, deliveryId: string) => ({ params: { endpointId: id, deliveryId } });

/** Adds the webhooks:* commands. */
export function webhookCommands(program: Command, act: Act): void {
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
      act(async (t, print, opts: { url: string; event: EventType[]; description?: string }) => {
        const created = (await t.call('webhooks.create', {
          body: { url: opts.url, events: opts.event, description: opts.description },
        })) as Obj;
        print.json(created);
        showEndpoint(created, print);
        print.line(
          `secret: ${str(created.secret)}\n(the secret is shown only now: store it where the receiver verifies signatures)`,
        );
      }),
    );

  program
    .command('webhooks:list')
    .description("list the operators' webhook endpoints (never their secrets)")
    .action(
      act(async (t, print) => {
        const endpoints = await all(t, 'webhooks.list');
        print.json(endpoints);
        if (!endpoints.length) print.line('no webhook endpoints');
        for (const e of endpoints) showEndpoint(e, print);
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
      act(
        async (
          t,
          print,
          id: string,
          opts: { url?: string; event?: EventType[]; description?: string; disable?: boolean; enable?: boolean },
        ) => {
          if (opts.disable && opts.enable) throw new InvalidArgumentError('give --disable or --enable, not both');
          const changed = (await t.call('webhooks.update', {
            ...endpoint(id),
            body: {
              url: opts.url,
              events: opts.event,
              description: opts.description,
              enabled: opts.disable ? false : opts.enable ? true : undefined,
            },
          })) as Obj;
          print.json(changed);
          showEndpoint(changed, print);
        },
      ),
    );

  program
    .command('webhooks:delete <id>')
    .description('delete an endpoint and its delivery log')
    .action(
      act(async (t, print, id: string) => {
        await t.call('webhooks.delete', endpoint(id));
        print.json({ deleted: id });
        print.line(`deleted ${id}`);
      }),
    );

  program
    .command('webhooks:rotate-secret <id>')
    .description('a new signing secret (printed once); the previous one keeps signing during the overlap')
    .option('--overlap-seconds <n>', 'how long the previous secret still signs', count, 24 * 3600)
    .action(
      act(async (t, print, id: string, opts: { overlapSeconds: number }) => {
        const rotated = (await t.call('webhooks.rotate-secret', {
          ...endpoint(id),
          body: { overlap_seconds: opts.overlapSeconds },
        })) as Obj;
        print.json(rotated);
        print.line(
          `secret: ${str(rotated.secret)}\nthe previous secret signs too until ${str(rotated.previous_secret_valid_until)}`,
        );
      }),
    );

  program
    .command('webhooks:ping <id>')
    .description('queue a webhook.ping event to the endpoint')
    .action(
      act(async (t, print, id: string) => {
        const queued = (await t.call('webhooks.ping', endpoint(id))) as Obj;
        print.json(queued);
        showDelivery(queued, print);
      }),
    );

  program
    .command('webhooks:deliveries <id>')
    .description("an endpoint's delivery log, newest first")
    .option('--limit <n>', 'how many', count, 20)
    .action(
      act(async (t, print, id: string, opts: { limit: number }) => {
        const page = (await t.call('webhooks.deliveries', {
          ...endpoint(id),
          query: { limit: String(Math.min(Math.max(opts.limit, 1), 100)) },
        })) as { items: Obj[] };
        print.json(page.items);
        if (!page.items.length) print.line('no deliveries');
        for (const d of page.items) showDelivery(d, print);
      }),
    );

  program
    .command('webhooks:delivery <id> <deliveryId>')
    .description('one delivery: its payload and each attempt')
    .action(
      act(async (t, print, id: string, deliveryId: string) => {
        const d = (await t.call('webhooks.delivery', ofDelivery(id, deliveryId))) as Obj;
        print.json(d);
        showDelivery(d, print);
        print.line(`payload: ${JSON.stringify(d.payload)}`);
        for (const a of d.attempt_log as Obj[])
          print.line(
            `  #${str(a.number)}  ${str(a.at)}  ${str(a.response_status ?? '-')}  ${str(a.duration_ms)} ms${a.error ? `  ${str(a.error)}` : ''}${a.response_body ? `  answer: ${JSON.stringify(a.response_body)}` : ''}`,
          );
      }),
    );

  program
    .command('webhooks:replay <id> <deliveryId>')
    .description("send a delivery's event again (same webhook-id)")
    .action(
      act(async (t, print, id: string, deliveryId: string) => {
        const queued = (await t.call('webhooks.replay', ofDelivery(id, deliveryId))) as Obj;
        print.json(queued);
        showDelivery(queued, print);
      }),
    );
}
