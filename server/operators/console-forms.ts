// What the console's pages share: their forms' small fields, the confirmation of destructive actions,
// list addresses and the audit trail of one thing.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { listOf, optionalText, pageForm, parsePageForm, searchText } from '../http/forms.js';
import { NotFound } from '../errors.js';
import { Uuid } from '../tenants/schemas.js';
import type { AuditView } from './audit.js';
import { CONSOLE_PAGE_SIZE, type Console } from './console.js';
import type { Acting, RawInput } from './operation.js';
import type { AccountBody } from './schemas.js';

/** A ticked box sends `yes`; an unticked one sends nothing. */
export const tick = z
  .literal('yes')
  .optional()
  .transform((v) => v === 'yes');

/** A text area with one entry per line: blank lines and surrounding spaces are no entries. */
export const lines = z
  .string()
  .max(50_000)
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
  );

export { listOf, optionalText };

/** A destructive action's form: nothing happens until it comes back with `confirm=yes`. */
export const confirmForm = pageForm({ confirm: z.literal('yes').optional() });
export const confirmedIn = (ctx: Context): boolean => parsePageForm(confirmForm, ctx.request.body).confirm === 'yes';

/** What a list page's address may say: a search and a page. Anything else is ignored, not an error. */
export const ListQuery = z.object({
  q: searchText,
  cursor: z.string().max(1200).optional().catch(undefined),
});

/** A list page's address with a search and a page. */
export function listHref(base: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1]));
  return query.size ? `${base}?${query}` : base;
}

/** An audit event as the console shows it: with the name of the account that acted, when it still exists. */
export type ShownEvent = AuditView & { actor_name?: string };

/** Names the accounts that acted in `events` (one read each, at most a page of them); deleted ones stay ids. */
export async function namingActors(console: Console, events: AuditView[], acting: Acting): Promise<ShownEvent[]> {
  const ids = [...new Set(events.map((e) => e.actor).filter((a): a is string => !!a && Uuid.safeParse(a).success))];
  const named = await Promise.all(
    ids.map(async (id) => {
      const account = await console
        .run<z.output<typeof AccountBody>>('accounts.get', { params: { accountId: id } }, acting)
        .catch((error: unknown) => {
          if (error instanceof NotFound) return undefined;
          throw error;
        });
      return [id, account?.name ?? account?.email ?? undefined] as const;
    }),
  );
  const names = new Map(named);
  return events.map((e) => ({ ...e, actor_name: e.actor ? names.get(e.actor) : undefined }));
}

/** The latest audit events about one thing (by subject: a client id, an account id; or by tenant id), for its page. */
export async function trailOf(
  console: Console,
  about: { subject: string } | { tenant_id: string },
  acting: Acting,
): Promise<ShownEvent[]> {
  const page = await console.run<{ items: AuditView[] }>(
    'audit.list',
    { query: { ...about, limit: String(CONSOLE_PAGE_SIZE) } },
    acting,
  );
  return namingActors(console, page.items, acting);
}

/**
 * A list page searched by the address's `q` (the operation's `search`), a page at a time: `area` names the
 * page's template and its navigation entry, `key` the list in the template. `search: false` for an operation
 * that has no search: the list is only paged.
 */
export function searchableList(
  router: Router,
  console: Console,
  {
    path,
    operation,
    area,
    key,
    search = true,
  }: { path: string; operation: string; area: string; key: string; search?: boolean },
): void {
  router.get(path, async (ctx) => {
    const acting = await console.operator(ctx);
    if (!acting) return;
    const query = ListQuery.parse(ctx.query);
    const { cursor } = query;
    const q = search ? query.q : undefined;
    const page = await console.run<{ items: unknown[]; next_cursor: string | null }>(
      operation,
      { query: { search: q, cursor, limit: String(CONSOLE_PAGE_SIZE) } },
      acting,
    );
    console.show(ctx, area, area, {
      q,
      [key]: page.items,
      ...pageLinks(path, page.next_cursor, cursor, { q }),
    });
  });
}

/** Shows one thing's page: what the `get` operation answers for it (as `key`), and its audit trail. */
export const detailPage =
  (
    console: Console,
    { operation, param, template, area, key }: Record<'operation' | 'param' | 'template' | 'area' | 'key', string>,
  ) =>
  async (ctx: Context, acting: Acting, id: string, extra: Record<string, unknown> = {}, status = 200) => {
    const [thing, trail] = await Promise.all([
      console.run(operation, { params: { [param]: id } }, acting),
      trailOf(console, { subject: id }, acting),
    ]);
    console.show(ctx, template, area, { [key]: thing, trail, ...extra }, status);
  };

/** A destructive action of one thing: what the confirmation says, the change, and where the browser goes after. */
export interface Destructive {
  /** Names the action's messages (`admin.confirm.<action>.*`). */
  action: string;
  area: string;
  /** What the confirmation calls the thing (read through the API, so a thing that is none is a 404). */
  name(ctx: Context, acting: Acting): Promise<string>;
  /** The thing's page: Cancel goes back to it. */
  back(ctx: Context): string;
  run(ctx: Context, acting: Acting): Promise<unknown>;
  /** Where the browser goes when it is done, with `notice`. */
  after(ctx: Context): string;
  notice: string;
  /** Shows the page again with a rule the operation refused (e.g. a 409). */
  refused(ctx: Context, acting: Acting, error: string, status: number): Promise<void>;
}

/** A POST route for a destructive action: without `confirm=yes` it only asks, naming the thing; then it runs. */
export function destructiveRoute(router: Router, console: Console, path: string, d: Destructive): void {
  router.post(path, async (ctx) => {
    if (!confirmedIn(ctx)) {
      const acting = await console.operator(ctx);
      if (!acting) return;
      return console.show(ctx, 'confirm', d.area, {
        action: d.action,
        name: await d.name(ctx, acting),
        formAction: ctx.path,
        cancelHref: d.back(ctx),
      });
    }
    await console.change(
      ctx,
      (acting) => d.run(ctx, acting),
      d.after(ctx),
      d.notice,
      (acting, error, status) => d.refused(ctx, acting, error, status),
    );
  });
}

/** A filter box in a list page's address: trimmed; empty, too long or odd is no filter (never an error). */
export const filterText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .catch(undefined)
    .transform((s) => s?.trim() || undefined);

/** A list page's links: the next page (the operation's cursor) and, past the first, back to the first. */
export const pageLinks = (
  base: string,
  next: string | null,
  cursor: string | undefined,
  params: Record<string, string | undefined> = {},
) => ({
  nextHref: next && listHref(base, { ...params, cursor: next }),
  firstHref: cursor && listHref(base, params),
});

/** Disable and enable one thing: each a POST running `operation` with `body(enabled)`, then back to its page. */
export function switchRoutes(
  router: Router,
  console: Console,
  {
    path,
    idOf,
    operation,
    input,
    href,
    notice,
    refused,
  }: {
    /** The thing's page route, e.g. `/admin/webhooks/:endpointId`: the actions are `<path>/disable|enable`. */
    path: string;
    idOf(ctx: Context): string;
    operation: string;
    input(id: string, enabled: boolean): RawInput;
    href(id: string): string;
    /** Prefix of the notices `<notice>disabled` and `<notice>enabled`. */
    notice: string;
    refused(ctx: Context, acting: Acting, id: string, error: string, status: number): Promise<void>;
  },
): void {
  for (const [action, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const)
    router.post(`${path}/${action}`, (ctx) => {
      const id = idOf(ctx);
      return console.change(
        ctx,
        (acting) => {
          parsePageForm(pageForm({}), ctx.request.body);
          return console.run(operation, input(id, enabled), acting);
        },
        href(id),
        `${notice}${action}d`,
        (acting, error, status) => refused(ctx, acting, id, error, status),
      );
    });
}
