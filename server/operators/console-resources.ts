// The console's API resources (the apps' APIs): list (or the one with an audience), register, change the name,
// permissions, token lifetime, signing algorithm and whether its permissions are public, delete after confirming.
import type { Context } from 'koa';
import { z } from 'zod';
import { optionalText, pageForm, parsePageForm } from '../http/forms.js';
import { SIGNING_ALGS } from '../keys/keys.js';
import type { ResourceBody } from '../resources/schemas.js';
import { Uuid } from '../tenants/schemas.js';
import { CONSOLE, CONSOLE_PAGE_SIZE, type ConsoleArea, refusal } from './console.js';
import { destructiveRoute, detailPage, filterText, lines, pageLinks, tick } from './console-forms.js';
import type { Acting } from './operation.js';

type Resource = z.output<typeof ResourceBody>;
const RESOURCES = `${CONSOLE}/resources`;
const resourceHref = (id: string) => `${RESOURCES}/${id}`;

const fields = {
  name: z.string().max(400),
  permissions: lines,
  access_token_ttl: optionalText(z.string().max(20)),
  signing_alg: z.enum(SIGNING_ALGS),
  public: tick,
};
const createForm = pageForm({ audience: z.string().max(400), ...fields });
const editForm = pageForm(fields);

/** The form's fields as the API names them; a lifetime that is no number is left to the API's schema to refuse. */
const bodyOf = ({ access_token_ttl, ...form }: z.output<typeof editForm>) => ({
  name: form.name,
  permissions: form.permissions,
  signing_alg: form.signing_alg,
  public: form.public,
  ...(access_token_ttl
    ? { access_token_ttl: /^\d+$/.test(access_token_ttl) ? Number(access_token_ttl) : access_token_ttl }
    : {}),
});

const ListFilter = z.object({ audience: filterText(255), cursor: filterText(1200) });

export const resourceArea: ConsoleArea = (router, console) => {
  const { operator, run, show, change } = console;
  const idOf = (ctx: Context) => Uuid.parse(ctx.params.resourceId);
  const showResource = detailPage(console, {
    operation: 'resources.get',
    param: 'resourceId',
    template: 'resource',
    area: 'resources',
    key: 'resource',
  });

  async function showList(ctx: Context, acting: Acting, extra: Record<string, unknown> = {}, status = 200) {
    const { cursor, audience } = ListFilter.parse(ctx.query);
    const page = await run<{ items: Resource[]; next_cursor: string | null }>(
      'resources.list',
      { query: { audience, cursor, limit: String(CONSOLE_PAGE_SIZE) } },
      acting,
    );
    show(
      ctx,
      'resources',
      'resources',
      {
        audience,
        resources: page.items,
        algs: SIGNING_ALGS,
        form: { signing_alg: 'ES256', access_token_ttl: '900' },
        ...pageLinks(RESOURCES, page.next_cursor, cursor, { audience }),
        ...extra,
      },
      status,
    );
  }

  router.get(RESOURCES, async (ctx) => {
    const acting = await operator(ctx);
    if (acting) await showList(ctx, acting);
  });

  router.post(RESOURCES, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    const form = parsePageForm(createForm, ctx.request.body);
    let created: Resource;
    try {
      created = await run('resources.create', { body: { audience: form.audience.trim(), ...bodyOf(form) } }, acting);
    } catch (error) {
      const reason = refusal(error);
      if (!reason) throw error;
      const shown = { ...form, permissions: form.permissions.join('\n') };
      return showList(ctx, acting, { error: reason.description, form: shown }, reason.status);
    }
    ctx.status = 303;
    ctx.redirect(`${resourceHref(created.id)}?done=resource_created`);
  });

  router.get(`${RESOURCES}/:resourceId`, async (ctx) => {
    const acting = await operator(ctx);
    if (acting) await showResource(ctx, acting, idOf(ctx), { algs: SIGNING_ALGS });
  });

  router.post(`${RESOURCES}/:resourceId`, (ctx) => {
    const id = idOf(ctx);
    return change(
      ctx,
      (acting) =>
        run(
          'resources.update',
          { params: { resourceId: id }, body: bodyOf(parsePageForm(editForm, ctx.request.body)) },
          acting,
        ),
      resourceHref(id),
      'resource_saved',
      (acting, error, status) => showResource(ctx, acting, id, { error, algs: SIGNING_ALGS }, status),
    );
  });

  destructiveRoute(router, console, `${RESOURCES}/:resourceId/delete`, {
    action: 'resource_delete',
    area: 'resources',
    name: async (ctx, acting) =>
      (await run<Resource>('resources.get', { params: { resourceId: idOf(ctx) } }, acting)).name,
    back: (ctx) => resourceHref(idOf(ctx)),
    run: (ctx, acting) => run('resources.delete', { params: { resourceId: idOf(ctx) } }, acting),
    after: () => RESOURCES,
    notice: 'resource_deleted',
    refused: (ctx, acting, error, status) =>
      showResource(ctx, acting, idOf(ctx), { error, algs: SIGNING_ALGS }, status),
  });
};
