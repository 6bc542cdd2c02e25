// The console's accounts: search, read, disable and enable, end sessions, send a password reset, delete.
// Every change runs the operator API's operation of the same name (which keeps the last operator).
import type { z } from 'zod';
import { parsePageForm } from '../http/forms.js';
import { Uuid } from '../tenants/schemas.js';
import { CONSOLE, type ConsoleArea } from './console.js';
import { confirmForm, confirmedIn, detailPage, searchableList } from './console-forms.js';
import type { AccountBody } from './schemas.js';

type Account = z.output<typeof AccountBody>;
const ACCOUNTS = `${CONSOLE}/accounts`;
const accountHref = (id: string) => `${ACCOUNTS}/${id}`;

/**
 * The account actions: the operation each runs, its notice, and whether it asks for confirmation first
 * (those that lock someone out or cannot be undone).
 */
const ACTIONS = {
  disable: { operation: 'accounts.disable', notice: 'account_disabled', confirm: true },
  enable: { operation: 'accounts.enable', notice: 'account_enabled', confirm: false },
  'end-sessions': { operation: 'accounts.end-sessions', notice: 'sessions_ended', confirm: true },
  'password-reset': { operation: 'accounts.send-reset', notice: 'reset_sent', confirm: false },
  delete: { operation: 'accounts.delete', notice: 'account_deleted', confirm: true },
} as const;
type Action = keyof typeof ACTIONS;

export const accountArea: ConsoleArea = (router, console) => {
  const { operator, run, show, change } = console;

  const showAccount = detailPage(console, {
    operation: 'accounts.get',
    param: 'accountId',
    template: 'account',
    area: 'accounts',
    key: 'account',
  });
  searchableList(router, console, { path: ACCOUNTS, operation: 'accounts.list', area: 'accounts', key: 'accounts' });

  router.get(`${ACCOUNTS}/:accountId`, async (ctx) => {
    const acting = await operator(ctx);
    if (acting) await showAccount(ctx, acting, Uuid.parse(ctx.params.accountId));
  });

  for (const [action, { operation, notice, confirm }] of Object.entries(ACTIONS) as [
    Action,
    (typeof ACTIONS)[Action],
  ][]) {
    router.post(`${ACCOUNTS}/:accountId/${action}`, async (ctx) => {
      const id = Uuid.parse(ctx.params.accountId);
      if (confirm && !confirmedIn(ctx)) {
        const acting = await operator(ctx);
        if (!acting) return;
        const account = await run<Account>('accounts.get', { params: { accountId: id } }, acting);
        return show(ctx, 'confirm', 'accounts', {
          action: `account_${action.replace('-', '_')}`,
          name: account.email ?? account.name ?? account.id,
          formAction: `${accountHref(id)}/${action}`,
          cancelHref: accountHref(id),
        });
      }
      parsePageForm(confirmForm, ctx.request.body);
      await change(
        ctx,
        (acting) => run(operation, { params: { accountId: id } }, acting),
        action === 'delete' ? ACCOUNTS : accountHref(id),
        notice,
        (acting, error, status) => showAccount(ctx, acting, id, { error }, status),
      );
    });
  }
};
