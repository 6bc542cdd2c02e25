// The console's webhooks: the operators' endpoints (every tenant's events), registering one (its signing
// secret shown once), rotating the secret (shown once; the previous one signs on during the overlap),
// disabling and enabling, a test event (webhook.ping), deleting after confirming, and each endpoint's deliveries
// with their attempts and replay.
import type { Context } from 'koa';
import { z } from 'zod';
import { listOf, pageForm, parsePageForm } from '../http/forms.js';
import { Uuid } from '../tenants/schemas.js';
import { EVENT_TYPES } from '../webhooks/events.js';
import type { CreatedEndpointBody, DeliveryView, EndpointView, RotatedSecret } from '../webhooks/schemas.js';
import { CONSOLE, CONSOLE_PAGE_SIZE, type ConsoleArea, refusal } from './console.js';
import { destructiveRoute, ListQuery, optionalText, pageLinks, switchRoutes, trailOf } from './console-forms.js';
import type { Acting } from './operation.js';

const WEBHOOKS = `${CONSOLE}/webhooks`;
const endpointHref = (id: string) => `${WEBHOOKS}/${id}`;

const endpointForm = pageForm({
  url: z.string().max(2000),
  events: listOf(z.string().max(80)),
  description: optionalText(z.string().max(300)),
});

export const webhookArea: ConsoleArea = (router, console) => {
  const { operator, run, show } = console;
  const endpointOf = (ctx: Context) => Uuid.parse(ctx.params.endpointId);

  async function showList(ctx: Context, acting: Acting, extra: Record<string, unknown> = {}, status = 200) {
    const { cursor } = ListQuery.parse(ctx.query);
    const page = await run<{ items: EndpointView[]; next_cursor: string | null }>(
      'webhooks.list',
      { query: { cursor, limit: String(CONSOLE_PAGE_SIZE) } },
      acting,
    );
    show(
      ctx,
      'webhooks',
      'webhooks',
      {
        endpoints: page.items,
        eventTypes: EVENT_TYPES,
        form: { events: [] },
        ...pageLinks(WEBHOOKS, page.next_cursor, cursor),
        ...extra,
      },
      status,
    );
  }

  /** An endpoint's page: its settings, its deliveries (newest first, a page at a time) and its audit trail. */
  async function showEndpoint(
    ctx: Context,
    acting: Acting,
    id: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const { cursor } = ListQuery.parse(ctx.query);
    const [endpoint, deliveries, trail] = await Promise.all([
      run<EndpointView>('webhooks.get', { params: { endpointId: id } }, acting),
      run<{ items: DeliveryView[]; next_cursor: string | null }>(
        'webhooks.deliveries',
        { params: { endpointId: id }, query: { cursor, limit: String(CONSOLE_PAGE_SIZE) } },
        acting,
      ),
      trailOf(console, { subject: id }, acting),
    ]);
    show(
      ctx,
      'webhook',
      'webhooks',
      {
        endpoint,
        deliveries: deliveries.items,
        trail,
        ...pageLinks(endpointHref(id), deliveries.next_cursor, cursor),
        ...extra,
      },
      status,
    );
  }

  router.get(WEBHOOKS, async (ctx) => {
    const acting = await operator(ctx);
    if (acting) await showList(ctx, acting);
  });

  router.post(WEBHOOKS, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    const { _csrf, ...form } = parsePageForm(endpointForm, ctx.request.body);
    let created: z.output<typeof CreatedEndpointBody>;
    try {
      created = await run('webhooks.create', { body: form }, acting);
    } catch (error) {
      const reason = refusal(error);
      if (!reason) throw error;
      return showList(ctx, acting, { error: reason.description, form }, reason.status);
    }
    // The secret is in this answer only: shown once, never put in a form or the address.
    await showEndpoint(ctx, acting, created.id, { secret: created.secret, notice: 'endpoint_created' });
  });

  router.get(`${WEBHOOKS}/:endpointId`, async (ctx) => {
    const acting = await operator(ctx);
    if (acting) await showEndpoint(ctx, acting, endpointOf(ctx));
  });

  router.post(`${WEBHOOKS}/:endpointId/rotate`, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    const id = endpointOf(ctx);
    parsePageForm(pageForm({}), ctx.request.body);
    const rotated = await run<RotatedSecret>('webhooks.rotate-secret', { params: { endpointId: id } }, acting);
    await showEndpoint(ctx, acting, id, { secret: rotated.secret, notice: 'endpoint_secret_rotated' });
  });

  router.post(`${WEBHOOKS}/:endpointId/ping`, (ctx) => {
    const id = endpointOf(ctx);
    return console.change(
      ctx,
      (acting) => {
        parsePageForm(pageForm({}), ctx.request.body);
        return run('webhooks.ping', { params: { endpointId: id } }, acting);
      },
      endpointHref(id),
      'endpoint_pinged',
      (acting, error, status) => showEndpoint(ctx, acting, id, { error }, status),
    );
  });

  switchRoutes(router, console, {
    path: `${WEBHOOKS}/:endpointId`,
    idOf: endpointOf,
    operation: 'webhooks.update',
    input: (id, enabled) => ({ params: { endpointId: id }, body: { enabled } }),
    href: endpointHref,
    notice: 'endpoint_',
    refused: (ctx, acting, id, error, status) => showEndpoint(ctx, acting, id, { error }, status),
  });

  destructiveRoute(router, console, `${WEBHOOKS}/:endpointId/delete`, {
    action: 'endpoint_delete',
    area: 'webhooks',
    name: async (ctx, acting) =>
      (await run<EndpointView>('webhooks.get', { params: { endpointId: endpointOf(ctx) } }, acting)).url,
    back: (ctx) => endpointHref(endpointOf(ctx)),
    run: (ctx, acting) => run('webhooks.delete', { params: { endpointId: endpointOf(ctx) } }, acting),
    after: () => WEBHOOKS,
    notice: 'endpoint_deleted',
    refused: (ctx, acting, error, status) => showEndpoint(ctx, acting, endpointOf(ctx), { error }, status),
  });

  const deliveryParams = (ctx: Context) => ({
    endpointId: endpointOf(ctx),
    deliveryId: Uuid.parse(ctx.params.deliveryId),
  });

  router.get(`${WEBHOOKS}/:endpointId/deliveries/:deliveryId`, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    const params = deliveryParams(ctx);
    const [endpoint, delivery] = await Promise.all([
      run<EndpointView>('webhooks.get', { params: { endpointId: params.endpointId } }, acting),
      run('webhooks.delivery', { params }, acting),
    ]);
    show(ctx, 'webhook-delivery', 'webhooks', { endpoint, delivery });
  });

  router.post(`${WEBHOOKS}/:endpointId/deliveries/:deliveryId/replay`, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    const params = deliveryParams(ctx);
    parsePageForm(pageForm({}), ctx.request.body);
    try {
      const replay = await run<DeliveryView>('webhooks.replay', { params }, acting);
      ctx.status = 303;
      ctx.redirect(`${endpointHref(params.endpointId)}/deliveries/${replay.id}?done=delivery_replayed`);
    } catch (error) {
      const reason = refusal(error);
      if (!reason) throw error;
      await showEndpoint(ctx, acting, params.endpointId, { error: reason.description }, reason.status);
    }
  });
};
