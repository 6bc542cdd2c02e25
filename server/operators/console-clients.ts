// The console's clients: list and search, register, change redirect URIs and settings, rotate the secret
// (shown once), delete. Every change runs the operator API's operation of the same name.
import type { Context } from 'koa';
import { z } from 'zod';
import { pageForm, parsePageForm } from '../http/forms.js';
import { CONSOLE, type ConsoleArea, refusal } from './console.js';
import { confirmedIn, detailPage, lines, listOf, searchableList, tick } from './console-forms.js';
import type { Acting } from './operation.js';
import type { ClientBody, CreatedClient, GrantType } from './schemas.js';

type Client = z.output<typeof ClientBody>;
const CLIENTS = `${CONSOLE}/clients`;
const clientHref = (id: string) => `${CLIENTS}/${encodeURIComponent(id)}`;

/** The settings both forms share, as the API names them. */
const settings = {
  name: z.string().optional(),
  redirect_uris: lines,
  post_logout_redirect_uris: lines,
  initiate_login_uri: z.string().max(2000).optional(),
  first_party: tick,
  tenants_manage: tick,
  operator: tick,
};
const createForm = pageForm({
  ...settings,
  kind: z.enum(['confidential', 'public']),
  grant_types: listOf(z.enum(['authorization_code', 'refresh_token', 'client_credentials'])),
  require_mfa: tick,
});
const editForm = pageForm(settings);

export const clientArea: ConsoleArea = (router, console) => {
  const { operator, run, show, change } = console;

  const showClient = detailPage(console, {
    operation: 'clients.get',
    param: 'clientId',
    template: 'client',
    area: 'clients',
    key: 'client',
  });

  const showNew = (ctx: Context, extra: Record<string, unknown> = {}, status = 200) =>
    show(
      ctx,
      'client-new',
      'clients',
      { form: { kind: 'confidential', grant_types: ['authorization_code', 'refresh_token'] }, ...extra },
      status,
    );

  searchableList(router, console, { path: CLIENTS, operation: 'clients.list', area: 'clients', key: 'clients' });

  router.get(`${CLIENTS}/new`, async (ctx) => {
    if (await operator(ctx)) showNew(ctx);
  });

  router.post(CLIENTS, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    const form = parsePageForm(createForm, ctx.request.body);
    const body = {
      name: form.name ?? '',
      redirect_uris: form.redirect_uris,
      post_logout_redirect_uris: form.post_logout_redirect_uris,
      ...(form.initiate_login_uri ? { initiate_login_uri: form.initiate_login_uri } : {}),
      grant_types: form.grant_types as z.output<typeof GrantType>[],
      public: form.kind === 'public',
      first_party: form.first_party,
      tenants_manage: form.tenants_manage,
      operator: form.operator,
      require_mfa: form.require_mfa,
    };
    let created: z.output<typeof CreatedClient>;
    try {
      created = await run('clients.create', { body }, acting);
    } catch (error) {
      const reason = refusal(error);
      if (!reason) throw error;
      return showNew(
        ctx,
        { error: reason.description, form: { ...form, redirect_uris: form.redirect_uris.join('\n') } },
        reason.status,
      );
    }
    // The secret is in this answer only: shown once, never stored in a form or the address.
    if (created.client_secret)
      return showClient(ctx, acting, created.client_id, { secret: created.client_secret, notice: 'client_created' });
    ctx.status = 303;
    ctx.redirect(`${clientHref(created.client_id)}?done=client_created`);
  });

  router.get(`${CLIENTS}/:clientId`, async (ctx) => {
    const acting = await operator(ctx);
    if (acting) await showClient(ctx, acting, ctx.params.clientId!);
  });

  router.post(`${CLIENTS}/:clientId`, (ctx) => {
    const id = ctx.params.clientId!;
    return change(
      ctx,
      (acting) => {
        const form = parsePageForm(editForm, ctx.request.body);
        const body = {
          ...(form.name ? { name: form.name } : {}),
          redirect_uris: form.redirect_uris,
          post_logout_redirect_uris: form.post_logout_redirect_uris,
          initiate_login_uri: form.initiate_login_uri || null,
          first_party: form.first_party,
          tenants_manage: form.tenants_manage,
          operator: form.operator,
        };
        return run('clients.update', { params: { clientId: id }, body }, acting);
      },
      clientHref(id),
      'client_saved',
      (acting, error, status) => showClient(ctx, acting, id, { error }, status),
    );
  });

  router.post(`${CLIENTS}/:clientId/secret`, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    const id = ctx.params.clientId!;
    if (!confirmedIn(ctx)) return showConfirm(ctx, acting, 'rotate', id);
    const rotated = await run<{ client_secret: string }>('clients.rotate-secret', { params: { clientId: id } }, acting);
    await showClient(ctx, acting, id, { secret: rotated.client_secret, notice: 'secret_rotated' });
  });

  router.post(`${CLIENTS}/:clientId/delete`, async (ctx) => {
    const id = ctx.params.clientId!;
    if (!confirmedIn(ctx)) {
      const acting = await operator(ctx);
      if (acting) await showConfirm(ctx, acting, 'delete_client', id);
      return;
    }
    await change(
      ctx,
      (acting) => run('clients.delete', { params: { clientId: id } }, acting),
      CLIENTS,
      'client_deleted',
      (acting, error, status) => showClient(ctx, acting, id, { error }, status),
    );
  });

  /** The confirmation step: names the client and what will happen, and posts the same form with confirm=yes. */
  async function showConfirm(ctx: Context, acting: Acting, action: 'rotate' | 'delete_client', id: string) {
    const client = await run<Client>('clients.get', { params: { clientId: id } }, acting);
    const path = action === 'rotate' ? 'secret' : 'delete';
    show(ctx, 'confirm', 'clients', {
      action,
      name: client.name,
      formAction: `${clientHref(id)}/${path}`,
      cancelHref: clientHref(id),
    });
  }
};
