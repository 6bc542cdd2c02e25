// Operator operations on the operators' webhook endpoints (tenant_id null: every tenant's events): register, list,
// read, change, delete, rotate the secret, ping, the delivery log and replay. The CLI's webhooks:* run them.
import { errorResponses, type Operation, operation } from './operation.js';
import { PageQuery, pageOf } from '../tenants/schemas.js';
import {
  CreatedEndpointBody,
  CreateEndpoint,
  DeliveryBody,
  DeliveryDetailBody,
  DeliveryQuery,
  EndpointBody,
  OperatorDeliveryParams,
  OperatorEndpointParams,
  RotatedSecretBody,
  RotateSecret,
  UpdateEndpoint,
} from '../webhooks/schemas.js';
import type { Owner, WebhookService } from '../webhooks/service.js';

const tag = 'Operator: webhooks';
const operator = (actor: string): Owner => ({ kind: 'operator', actor });

export function webhookOperations(webhooks: WebhookService): Operation[] {
  const base = '/api/admin/webhooks';
  const one = `${base}/:endpointId`;
  const delivery = `${one}/deliveries/:deliveryId`;
  return [
    operation(
      'webhooks.create',
      {
        method: 'post',
        path: base,
        tag,
        summary: "Register an operator's endpoint for every tenant's events (its secret is returned now, never again)",
        body: CreateEndpoint,
        responses: {
          201: { description: 'Registered', schema: CreatedEndpointBody },
          ...errorResponses(400, 401, 403, 409, 422),
        },
      },
      async ({ body }, { actor }) => ({ status: 201, body: await webhooks.create(operator(actor), body) }),
    ),
    operation(
      'webhooks.list',
      {
        method: 'get',
        path: base,
        tag,
        summary: "The operators' endpoints (never their secrets)",
        query: PageQuery,
        responses: {
          200: { description: 'A page of endpoints', schema: pageOf(EndpointBody) },
          ...errorResponses(400, 401, 403),
        },
      },
      async ({ query }, { actor }) => ({ body: await webhooks.list(operator(actor), query) }),
    ),
    operation(
      'webhooks.get',
      {
        method: 'get',
        path: one,
        tag,
        summary: 'Read an endpoint (never its secret)',
        params: OperatorEndpointParams,
        responses: {
          200: { description: 'The endpoint', schema: EndpointBody },
          ...errorResponses(400, 401, 403, 404),
        },
      },
      async ({ params }, { actor }) => ({ body: await webhooks.get(operator(actor), params.endpointId) }),
    ),
    operation(
      'webhooks.update',
      {
        method: 'patch',
        path: one,
        tag,
        summary: 'Change an endpoint’s URL, events or description, or disable / enable it',
        params: OperatorEndpointParams,
        body: UpdateEndpoint,
        responses: {
          200: { description: 'The changed endpoint', schema: EndpointBody },
          ...errorResponses(400, 401, 403, 404, 422),
        },
      },
      async ({ params, body }, { actor }) => ({
        body: await webhooks.update(operator(actor), params.endpointId, body),
      }),
    ),
    operation(
      'webhooks.delete',
      {
        method: 'delete',
        path: one,
        tag,
        summary: 'Delete an endpoint and its delivery log',
        params: OperatorEndpointParams,
        responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404) },
      },
      async ({ params }, { actor }) => {
        await webhooks.remove(operator(actor), params.endpointId);
        return { status: 204 };
      },
    ),
    operation(
      'webhooks.rotate-secret',
      {
        method: 'post',
        path: `${one}/rotate-secret`,
        tag,
        summary: 'Rotate the signing secret; the previous one keeps signing during the overlap',
        params: OperatorEndpointParams,
        body: RotateSecret,
        responses: {
          200: { description: 'The new secret, shown once', schema: RotatedSecretBody },
          ...errorResponses(400, 401, 403, 404),
        },
      },
      async ({ params, body }, { actor }) => ({
        body: await webhooks.rotateSecret(operator(actor), params.endpointId, body.overlap_seconds),
      }),
    ),
    operation(
      'webhooks.ping',
      {
        method: 'post',
        path: `${one}/ping`,
        tag,
        summary: 'Send a webhook.ping event to the endpoint',
        params: OperatorEndpointParams,
        responses: { 202: { description: 'Queued', schema: DeliveryBody }, ...errorResponses(400, 401, 403, 404, 409) },
      },
      async ({ params }, { actor }) => ({ status: 202, body: await webhooks.ping(operator(actor), params.endpointId) }),
    ),
    operation(
      'webhooks.deliveries',
      {
        method: 'get',
        path: `${one}/deliveries`,
        tag,
        summary: 'The delivery log, newest first',
        params: OperatorEndpointParams,
        query: DeliveryQuery,
        responses: {
          200: { description: 'A page of deliveries', schema: pageOf(DeliveryBody) },
          ...errorResponses(400, 401, 403, 404),
        },
      },
      async ({ params, query }, { actor }) => ({
        body: await webhooks.deliveries(operator(actor), params.endpointId, query),
      }),
    ),
    operation(
      'webhooks.delivery',
      {
        method: 'get',
        path: delivery,
        tag,
        summary: 'A delivery: its payload and every attempt',
        params: OperatorDeliveryParams,
        responses: {
          200: { description: 'The delivery', schema: DeliveryDetailBody },
          ...errorResponses(400, 401, 403, 404),
        },
      },
      async ({ params }, { actor }) => ({
        body: await webhooks.delivery(operator(actor), params.endpointId, params.deliveryId),
      }),
    ),
    operation(
      'webhooks.replay',
      {
        method: 'post',
        path: `${delivery}/replay`,
        tag,
        summary: 'Send the delivery’s event again (same webhook-id)',
        params: OperatorDeliveryParams,
        responses: { 202: { description: 'Queued', schema: DeliveryBody }, ...errorResponses(400, 401, 403, 404, 409) },
      },
      async ({ params }, { actor }) => ({
        status: 202,
        body: await webhooks.replay(operator(actor), params.endpointId, params.deliveryId),
      }),
    ),
  ];
}
