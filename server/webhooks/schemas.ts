// Request and response schemas of the webhook routes: they validate input and feed /api/openapi.json.
import { z } from 'zod';
import { PageQuery, TenantParams, Uuid } from '../tenants/schemas.js';
import { EVENT_TYPES } from './events.js';

export const EventTypeName = z.enum(EVENT_TYPES, { error: `expected one of ${EVENT_TYPES.join(', ')}` });
const Events = z
  .array(EventTypeName)
  .min(1, 'subscribe to at least one event')
  .max(EVENT_TYPES.length)
  .transform((events) => [...new Set(events)]);
const Url = z.string().trim().min(1).max(2000, 'at most 2000 characters').describe('https:// outside development');
const Description = z.string().trim().max(300, 'at most 300 characters');

export const EndpointParams = TenantParams.extend({ endpointId: Uuid }).strict();
export const DeliveryParams = EndpointParams.extend({ deliveryId: Uuid }).strict();

export const CreateEndpoint = z.object({ url: Url, events: Events, description: Description.optional() }).strict();
export const UpdateEndpoint = z
  .object({
    url: Url.optional(),
    events: Events.optional(),
    description: Description.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'give at least one of url, events, description, enabled');
export const RotateSecret = z
  .object({
    overlap_seconds: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600, 'at most 7 days')
      .default(24 * 3600)
      .describe('how long the previous secret still signs (as a second signature); default one day'),
  })
  .strict();
export const DeliveryQuery = PageQuery.extend({
  status: z.enum(['pending', 'succeeded', 'failed', 'cancelled']).optional(),
}).strict();

export const EndpointBody = z
  .object({
    id: Uuid,
    tenant_id: Uuid.nullable().describe('null: an operator’s endpoint, which receives every tenant’s events'),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    previous_secret_valid_until: z
      .string()
      .nullable()
      .describe('after a rotation: until when the previous secret still signs deliveries'),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });
export type EndpointView = z.infer<typeof EndpointBody>;

export const CreatedEndpointBody = EndpointBody.extend({
  secret: z.string().describe('the signing secret (whsec_…): shown now, never again'),
}).meta({ id: 'CreatedWebhookEndpoint' });

export const RotatedSecretBody = z
  .object({
    secret: z.string().describe('the new signing secret: shown now, never again'),
    previous_secret_valid_until: z.string(),
  })
  .meta({ id: 'RotatedWebhookSecret' });
export type RotatedSecret = z.infer<typeof RotatedSecretBody>;

export const AttemptBody = z
  .object({
    number: z.number().int(),
    at: z.string(),
    response_status: z.number().int().nullable(),
    duration_ms: z.number().int(),
    error: z.string().nullable(),
    response_body: z.string().nullable().describe('the start of the answer, cut to 500 characters'),
  })
  .meta({ id: 'WebhookAttempt' });

export const DeliveryBody = z
  .object({
    id: Uuid,
    endpoint_id: Uuid,
    event_id: Uuid.describe('also the webhook-id header: the same for retries and replays'),
    event_type: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed', 'cancelled']),
    attempts: z.number().int(),
    replay_of: Uuid.nullable(),
    created_at: z.string(),
    last_attempt_at: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });
export type DeliveryView = z.infer<typeof DeliveryBody>;

export const DeliveryDetailBody = DeliveryBody.extend({
  payload: z.record(z.string(), z.unknown()).describe('the body every attempt posted'),
  attempt_log: z.array(AttemptBody),
}).meta({ id: 'WebhookDeliveryDetail' });
export type DeliveryDetail = z.infer<typeof DeliveryDetailBody>;

// The operators' endpoints (/api/admin/webhooks): tenant_id null, every tenant's events.
export const OperatorEndpointParams = z.object({ endpointId: Uuid }).strict();
export const OperatorDeliveryParams = OperatorEndpointParams.extend({ deliveryId: Uuid }).strict();
