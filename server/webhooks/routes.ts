// Management API routes for a tenant's webhook endpoints: parse, call one service function, answer.
import { type ApiRouter, errorResponses } from '../http/api-router.js';
import type { Caller } from '../tenants/access.js';
import { PageQuery, pageOf, TenantParams } from '../tenants/schemas.js';
import {
  CreatedEndpointBody,
  CreateEndpoint,
  DeliveryBody,
  DeliveryDetailBody,
  DeliveryParams,
  DeliveryQuery,
  EndpointBody,
  EndpointParams,
  RotatedSecretBody,
  RotateSecret,
  UpdateEndpoint,
} from './schemas.js';
import type { Owner, WebhookService } from './service.js';

export interface WebhookRouteDeps {
  api: ApiRouter<Caller>;
  issuer: string;
  webhooks: WebhookService;
}

const errors = errorResponses;
const common = {
  400: 'Malformed request',
  401: 'No valid bearer token',
  403: 'Not a tenant-admin of this tenant',
  404: 'No such tenant, endpoint or delivery',
};

const tenantOwner = (caller: Caller, tenantId: string): Owner => ({ kind: 'tenant', caller, tenantId });

export function webhookRoutes({ api, issuer, webhooks }: WebhookRouteDeps): void {
  const tag = 'Webhooks';
  const base = '/api/tenants/:tenantId/webhooks';
  const one = `${base}/:endpointId`;

  api.route(
    {
      method: 'post',
      path: base,
      tag,
      summary: 'Register an endpoint (its signing secret is returned now, never again)',
      params: TenantParams,
      body: CreateEndpoint,
      responses: {
        201: { description: 'Registered', schema: CreatedEndpointBody },
        ...errors({ ...common, 409: 'Too many endpoints', 422: 'The URL is not allowed (scheme or address)' }),
      },
    },
    async ({ caller, params, body }) => {
      const created = await webhooks.create(tenantOwner(caller, params.tenantId), body);
      return {
        status: 201,
        body: created,
        headers: { Location: `${issuer}/api/tenants/${params.tenantId}/webhooks/${created.id}` },
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: base,
      tag,
      summary: 'List the tenant’s endpoints',
      params: TenantParams,
      query: PageQuery,
      responses: { 200: { description: 'A page of endpoints', schema: pageOf(EndpointBody) }, ...errors(common) },
    },
    async ({ caller, params, query }) => ({ body: await webhooks.list(tenantOwner(caller, params.tenantId), query) }),
  );

  api.route(
    {
      method: 'get',
      path: one,
      tag,
      summary: 'Read an endpoint (never its secret)',
      params: EndpointParams,
      responses: { 200: { description: 'The endpoint', schema: EndpointBody }, ...errors(common) },
    },
    async ({ caller, params }) => ({
      body: await webhooks.get(tenantOwner(caller, params.tenantId), params.endpointId),
    }),
  );

  api.route(
    {
      method: 'patch',
      path: one,
      tag,
      summary: 'Change an endpoint’s URL, events or description, or disable / enable it',
      params: EndpointParams,
      body: UpdateEndpoint,
      responses: {
        200: { description: 'The changed endpoint', schema: EndpointBody },
        ...errors({ ...common, 422: 'The URL is not allowed (scheme or address)' }),
      },
    },
    async ({ caller, params, body }) => ({
      body: await webhooks.update(tenantOwner(caller, params.tenantId), params.endpointId, body),
    }),
  );

  api.route(
    {
      method: 'delete',
      path: one,
      tag,
      summary: 'Delete an endpoint and its delivery log',
      params: EndpointParams,
      responses: { 204: { description: 'Deleted' }, ...errors(common) },
    },
    async ({ caller, params }) => {
      await webhooks.remove(tenantOwner(caller, params.tenantId), params.endpointId);
      return { status: 204 };
    },
  );

  api.route(
    {
      method: 'post',
      path: `${one}/rotate-secret`,
      tag,
      summary: 'Rotate the signing secret; the previous one keeps signing during the overlap',
      params: EndpointParams,
      body: RotateSecret,
      responses: { 200: { description: 'The new secret, shown once', schema: RotatedSecretBody }, ...errors(common) },
    },
    async ({ caller, params, body }) => ({
      body: await webhooks.rotateSecret(tenantOwner(caller, params.tenantId), params.endpointId, body.overlap_seconds),
      headers: { 'Cache-Control': 'no-store' },
    }),
  );

  api.route(
    {
      method: 'post',
      path: `${one}/ping`,
      tag,
      summary: 'Send a webhook.ping event to the endpoint',
      params: EndpointParams,
      responses: {
        202: { description: 'Queued', schema: DeliveryBody },
        ...errors({ ...common, 409: 'The endpoint is disabled' }),
      },
    },
    async ({ caller, params }) => ({
      status: 202,
      body: await webhooks.ping(tenantOwner(caller, params.tenantId), params.endpointId),
    }),
  );

  api.route(
    {
      method: 'get',
      path: `${one}/deliveries`,
      tag,
      summary: 'The delivery log, newest first',
      params: EndpointParams,
      query: DeliveryQuery,
      responses: { 200: { description: 'A page of deliveries', schema: pageOf(DeliveryBody) }, ...errors(common) },
    },
    async ({ caller, params, query }) => ({
      body: await webhooks.deliveries(tenantOwner(caller, params.tenantId), params.endpointId, query),
    }),
  );

  api.route(
    {
      method: 'get',
      path: `${one}/deliveries/:deliveryId`,
      tag,
      summary: 'A delivery: its payload and every attempt',
      params: DeliveryParams,
      responses: { 200: { description: 'The delivery', schema: DeliveryDetailBody }, ...errors(common) },
    },
    async ({ caller, params }) => ({
      body: await webhooks.delivery(tenantOwner(caller, params.tenantId), params.endpointId, params.deliveryId),
    }),
  );

  api.route(
    {
      method: 'post',
      path: `${one}/deliveries/:deliveryId/replay`,
      tag,
      summary: 'Send the delivery’s event again (same webhook-id)',
      params: DeliveryParams,
      responses: {
        202: { description: 'Queued', schema: DeliveryBody },
        ...errors({ ...common, 409: 'Still being tried, or the endpoint is disabled' }),
      },
    },
    async ({ caller, params }) => ({
      status: 202,
      body: await webhooks.replay(tenantOwner(caller, params.tenantId), params.endpointId, params.deliveryId),
    }),
  );
}
