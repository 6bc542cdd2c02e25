// The console's global connections (offered on every sign-in page): list, add (OpenID Connect, or OAuth 2.0
// with its endpoints), change, disable and enable, delete after confirming (refused while people sign in
// through it). The client secret is write-only: a box that is always empty, left empty to keep the secret.
import type { Context } from 'koa';
import { z } from 'zod';
import { optionalText, pageForm, parsePageForm } from '../http/forms.js';
import type { ConnectionView } from '../federation/schemas.js';
import { CONSOLE, type ConsoleArea, refusal } from './console.js';
import { destructiveRoute, detailPage, searchableList, switchRoutes, tick } from './console-forms.js';

const CONNECTIONS = `${CONSOLE}/connections`;
const connectionHref = (id: string) => `${CONNECTIONS}/${encodeURIComponent(id)}`;

const text = (max: number) => optionalText(z.string().max(max));
const fields = {
  name: z.string().max(400),
  issuer: text(2000),
  authorization_endpoint: text(2000),
  token_endpoint: text(2000),
  userinfo_endpoint: text(2000),
  client_id: z.string().max(600),
  client_secret: text(2000),
  scopes: text(2000),
  trusted_for_email: tick,
};
const createForm = pageForm({ slug: z.string().max(100), kind: z.enum(['oidc', 'oauth2']), ...fields });
const editForm = pageForm(fields);

/** The form as the API's body: empty boxes are left out (an empty secret box keeps the secret). */
function bodyOf({ _csrf, scopes, client_secret, ...form }: z.output<typeof editForm>) {
  const given = Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined && v !== ''));
  return {
    ...given,
    ...(client_secret ? { client_secret } : {}),
    ...(scopes ? { scopes: scopes.split(/[\s,]+/).filter(Boolean) } : {}),
  };
}

export const connectionArea: ConsoleArea = (router, console) => {
  const { operator, run, show, change } = console;
  const idOf = (ctx: Context) => z.string().min(1).max(63).parse(ctx.params.connection);
  const showConnection = detailPage(console, {
    operation: 'connections.get',
    param: 'connection',
    template: 'connection',
    area: 'connections',
    key: 'connection',
  });
  const showNew = (ctx: Context, extra: Record<string, unknown> = {}, status = 200) =>
    show(
      ctx,
      'connection-new',
      'connections',
      { form: { kind: 'oidc', scopes: 'openid email profile' }, ...extra },
      status,
    );

  searchableList(router, console, {
    path: CONNECTIONS,
    operation: 'connections.list',
    area: 'connections',
    key: 'connections',
    search: false,
  });

  router.get(`${CONNECTIONS}/new`, async (ctx) => {
    if (await operator(ctx)) showNew(ctx);
  });

  router.post(CONNECTIONS, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    const { _csrf, slug, kind, ...form } = parsePageForm(createForm, ctx.request.body);
    let created: ConnectionView;
    try {
      created = await run('connections.create', { body: { slug: slug.trim(), kind, ...bodyOf(form) } }, acting);
    } catch (error) {
      const reason = refusal(error);
      if (!reason) throw error;
      // Everything typed comes back but the secret, which is never put in a page.
      return showNew(
        ctx,
        { error: reason.description, form: { ...form, slug, kind, client_secret: undefined } },
        reason.status,
      );
    }
    ctx.status = 303;
    ctx.redirect(`${connectionHref(created.id)}?done=connection_created`);
  });

  router.get(`${CONNECTIONS}/:connection`, async (ctx) => {
    const acting = await operator(ctx);
    if (acting) await showConnection(ctx, acting, idOf(ctx));
  });

  router.post(`${CONNECTIONS}/:connection`, (ctx) => {
    const id = idOf(ctx);
    return change(
      ctx,
      (acting) =>
        run(
          'connections.update',
          { params: { connection: id }, body: bodyOf(parsePageForm(editForm, ctx.request.body)) },
          acting,
        ),
      connectionHref(id),
      'connection_saved',
      (acting, error, status) => showConnection(ctx, acting, id, { error }, status),
    );
  });

  switchRoutes(router, console, {
    path: `${CONNECTIONS}/:connection`,
    idOf,
    operation: 'connections.update',
    input: (id, enabled) => ({ params: { connection: id }, body: { disabled: !enabled } }),
    href: connectionHref,
    notice: 'connection_',
    refused: (ctx, acting, id, error, status) => showConnection(ctx, acting, id, { error }, status),
  });

  destructiveRoute(router, console, `${CONNECTIONS}/:connection/delete`, {
    action: 'connection_delete',
    area: 'connections',
    name: async (ctx, acting) =>
      (await run<ConnectionView>('connections.get', { params: { connection: idOf(ctx) } }, acting)).name,
    back: (ctx) => connectionHref(idOf(ctx)),
    run: (ctx, acting) => run('connections.delete', { params: { connection: idOf(ctx) } }, acting),
    after: () => CONNECTIONS,
    notice: 'connection_deleted',
    refused: (ctx, acting, error, status) => showConnection(ctx, acting, idOf(ctx), { error }, status),
  });
};
