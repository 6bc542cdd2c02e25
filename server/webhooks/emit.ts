// Writes a webhook event and one delivery per endpoint that wants it, in the caller's transaction:
// the event exists exactly when the change that caused it does, and the outbox carries it from there.
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuditListener } from '../db/audit.js';
import { WebhookDelivery, WebhookEndpoint, WebhookEvent } from '../db/entities/index.js';
import { enqueueMessage } from '../delivery/outbox.js';
import { eventOfAudit, PING, type WebhookEventData } from './events.js';

/** A UUIDv7: time-ordered, so the delivery log reads newest first by id (and pages by it), and old rows go by id. */
export function timeOrderedId(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const subscribedTo = (endpoint: WebhookEndpoint): string[] => JSON.parse(endpoint.events) as string[];

/** The enabled endpoints that receive an event: its tenant's, and the operators' (who receive every event). */
async function endpointsFor(m: EntityManager, event: WebhookEventData): Promise<WebhookEndpoint[]> {
  const query = m.createQueryBuilder(WebhookEndpoint, 'e').where('e.disabled_at IS NULL');
  if (event.tenantId) query.andWhere('(e.tenant_id = :tenantId OR e.tenant_id IS NULL)', { tenantId: event.tenantId });
  else query.andWhere('e.tenant_id IS NULL');
  return (await query.getMany()).filter((e) => subscribedTo(e).includes(event.type));
}

/** Queues one delivery of a stored event to an endpoint; returns the delivery. */
export async function queueDelivery(
  m: EntityManager,
  event: WebhookEvent,
  endpointId: string,
  replayOf: string | null = null,
): Promise<WebhookDelivery> {
  const outboxId = await enqueueMessage(m, {
    channel: 'webhook',
    recipient: endpointId,
    subject: event.type,
    bodyText: event.payload,
  });
  const delivery = Object.assign(new WebhookDelivery(), {
    id: timeOrderedId(),
    endpointId,
    eventId: event.id,
    outboxId,
    status: 'pending' as const,
    attempts: 0,
    replayOf,
    createdAt: new Date(),
    lastAttemptAt: null,
  });
  await m.insert(WebhookDelivery, delivery);
  return delivery;
}

/** Stores an event and queues it for `endpoints`; the payload is the Standard Webhooks envelope. */
async function storeAndQueue(m: EntityManager, event: WebhookEventData, endpoints: string[]) {
  const createdAt = new Date();
  const row = Object.assign(new WebhookEvent(), {
    id: timeOrderedId(createdAt.getTime()),
    type: event.type,
    tenantId: event.tenantId,
    payload: JSON.stringify({ type: event.type, timestamp: createdAt.toISOString(), data: event.data }),
    createdAt,
  });
  await m.insert(WebhookEvent, row);
  const deliveries: WebhookDelivery[] = [];
  for (const endpointId of endpoints) deliveries.push(await queueDelivery(m, row, endpointId));
  return deliveries;
}

/** Emits an event to every endpoint that subscribes to it; nothing is written when none does. */
export async function emitEvent(m: EntityManager, event: WebhookEventData): Promise<number> {
  const endpoints = await endpointsFor(m, event);
  if (!endpoints.length) return 0;
  return (
    await storeAndQueue(
      m,
      event,
      endpoints.map((e) => e.id),
    )
  ).length;
}

/** A ping to one endpoint, whatever it subscribes to. */
export async function emitPing(m: EntityManager, endpoint: WebhookEndpoint): Promise<WebhookDelivery> {
  const ping = { type: PING, tenantId: endpoint.tenantId, data: { endpoint_id: endpoint.id } } as const;
  return (await storeAndQueue(m, ping, [endpoint.id]))[0]!;
}

/** The audit listener app.ts adds: every audited change that is a webhook event is emitted with it. */
export const emitAudited: AuditListener = async (m, record) => {
  const event = eventOfAudit(record);
  if (event) await emitEvent(m, event);
};
