// The console's operators (grant the role by account id or e-mail, remove it: never from the last one) and
// signing keys (list with their retire dates, one rotation phase, retire the previous ones after confirming).
// The setup link is not offered: its operation works only while there is no operator, and here one is signed in.
import type { Context } from 'koa';
import { z } from 'zod';
import { pageForm, parsePageForm } from '../http/forms.js';
import { PREVIOUS_KEY_RETENTION_MS } from '../keys/keys.js';
import { Uuid } from '../tenants/schemas.js';
import { CONSOLE, CONSOLE_PAGE_SIZE, type ConsoleArea, refusal } from './console.js';
import { confirmedIn, destructiveRoute, ListQuery, pageLinks } from './console-forms.js';
import type { Acting } from './operation.js';
import type { KeyBody, OperatorBody, RotationBody } from './schemas.js';

const OPERATORS = `${CONSOLE}/operators`;
const KEYS = `${CONSOLE}/keys`;
type OperatorRow = z.output<typeof OperatorBody>;
type Key = z.output<typeof KeyBody>;

/** One box: an account id, or the e-mail address the account signs in with. */
const grantForm = pageForm({ who: z.string().max(400) });
const grantBody = (who: string) => (Uuid.safeParse(who).success ? { account_id: who } : { email: who });

/** A previous key may be retired once nothing it signed can still be valid. */
const withRetireDate = (k: Key) => ({
  ...k,
  retirable_at:
    k.status === 'previous'
      ? new Date(Date.parse(k.status_changed_at) + PREVIOUS_KEY_RETENTION_MS).toISOString()
      : undefined,
});

export const operatorArea: ConsoleArea = (router, console) => {
  const { operator, run, show } = console;

  async function showOperators(ctx: Context, acting: Acting, extra: Record<string, unknown> = {}, status = 200) {
    const { cursor } = ListQuery.parse(ctx.query);
    const page = await run<{ items: OperatorRow[]; next_cursor: string | null }>(
      'operators.list',
      { query: { cursor, limit: String(CONSOLE_PAGE_SIZE) } },
      acting,
    );
    show(
      ctx,
      'operators',
      'operators',
      {
        operators: page.items,
        // Who granted the role: an operator on this page by name, any other account by its id, else what was recorded.
        grantors: Object.fromEntries(page.items.map((o) => [o.account_id, o.name ?? o.account_id])),
        me: acting.actor,
        ...pageLinks(OPERATORS, page.next_cursor, cursor),
        ...extra,
      },
      status,
    );
  }

  router.get(OPERATORS, async (ctx) => {
    const acting = await operator(ctx);
    if (acting) await showOperators(ctx, acting);
  });

  router.post(OPERATORS, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    const who = parsePageForm(grantForm, ctx.request.body).who.trim();
    try {
      await run('operators.add', { body: grantBody(who) }, acting);
    } catch (error) {
      const reason = refusal(error);
      if (!reason) throw error;
      return showOperators(ctx, acting, { error: reason.description, who }, reason.status);
    }
    ctx.status = 303;
    ctx.redirect(`${OPERATORS}?done=operator_granted`);
  });

  destructiveRoute(router, console, `${OPERATORS}/:accountId/remove`, {
    action: 'operator_remove',
    area: 'operators',
    name: async (ctx, acting) => {
      const id = Uuid.parse(ctx.params.accountId);
      const account = await run<{ name: string | null; email: string | null }>(
        'accounts.get',
        { params: { accountId: id } },
        acting,
      );
      return account.name ?? account.email ?? id;
    },
    back: () => OPERATORS,
    run: (ctx, acting) => run('operators.remove', { params: { accountId: Uuid.parse(ctx.params.accountId) } }, acting),
    after: () => OPERATORS,
    notice: 'operator_removed',
    refused: (ctx, acting, error, status) => showOperators(ctx, acting, { error }, status),
  });

  async function showKeys(ctx: Context, acting: Acting) {
    const { items } = await run<{ items: Key[] }>('keys.list', {}, acting);
    show(ctx, 'keys', 'keys', { keys: items.map(withRetireDate) });
  }

  router.get(KEYS, async (ctx) => {
    const acting = await operator(ctx);
    if (acting) await showKeys(ctx, acting);
  });

  router.post(`${KEYS}/rotate`, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    parsePageForm(pageForm({}), ctx.request.body);
    const { step } = await run<z.output<typeof RotationBody>>('keys.rotate', {}, acting);
    ctx.status = 303;
    ctx.redirect(`${KEYS}?done=keys_${step}`);
  });

  router.post(`${KEYS}/retire`, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    if (!confirmedIn(ctx))
      return show(ctx, 'confirm', 'keys', { action: 'keys_retire', formAction: `${KEYS}/retire`, cancelHref: KEYS });
    const { retired } = await run<{ retired: string[] }>('keys.retire', { query: { force: 'false' } }, acting);
    ctx.status = 303;
    ctx.redirect(`${KEYS}?done=${retired.length ? 'keys_retired' : 'keys_none_retired'}`);
  });
};
