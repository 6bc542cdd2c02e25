// Webhook endpoints and their delivery log: a tenant's admins manage the tenant's endpoints; operators
// (the CLI now, the operator API later) manage theirs (tenant_id null), which receive every event.
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { type EntityManager, IsNull } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import { decodeCursor, type Page, toPage } from '../db/cursor.js';
import type { Database } from '../db/database.js';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent } from '../db/entities/index.js';
import { Conflict, NotFound, Unprocessable } from '../errors.js';
import { accessTo, actorOf, type Caller, requireAdmin } from '../tenants/access.js';
import { emitPing, queueDelivery, subscribedTo, timeOrderedId } from './emit.js';
import type { EventType } from './events.js';
import type { SecretBox } from '../keys/sealing.js';
import type { DeliveryDetail, DeliveryView, EndpointView, RotatedSecret } from './schemas.js';
import { generateSecret } from './signing.js';
import { checkUrl, resolveAllowed, type TargetPolicy, TargetRefused } from './ssrf.js';

/** Whose endpoints: a tenant's, through the Management API's permission rules, or the operators'. */
export type Owner = { kind: 'tenant'; caller: Caller; tenantId: string } | { kind: 'operator'; actor: string };

interface Scope {
  tenantId: string | null;
  actor: string;
}

export interface NewEndpoint {
  url: string;
  events: EventType[];
  description?: string;
}

export interface EndpointChange {
  url?: string;
  events?: EventType[];
  description?: string | null;
  enabled?: boolean;
}

/** Enough for any integration; a bound on how many posts one change can cause. */
export const MAX_ENDPOINTS = 20;
/** How long the log keeps a delivery after it ended. */
export const DELIVERY_RETENTION_DAYS = 30;

/** Changes to endpoints are audited like every other change: who may receive what is a security decision. */
const audit = (m: EntityManager, scope: Scope, type: string, endpointId: string, data?: Record<string, unknown>) =>
  recordAudit(m, { type, actor: scope.actor, tenantId: scope.tenantId, subject: endpointId, data });

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function toEndpointView(e: WebhookEndpoint, now: Date): EndpointView {
  return {
    id: e.id,
    tenant_id: e.tenantId,
    url: e.url,
    description: e.description,
    events: subscribedTo(e),
    enabled: e.disabledAt === null,
    previous_secret_valid_until: e.previousUntil && e.previousUntil > now ? e.previousUntil.toISOString() : null,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}

const toDeliveryView = (d: WebhookDelivery, eventType: string): DeliveryView => ({
  id: d.id,
  endpoint_id: d.endpointId,
  event_id: d.eventId,
  event_type: eventType,
  status: d.status,
  attempts: d.attempts,
  replay_of: d.replayOf,
  created_at: d.createdAt.toISOString(),
  last_attempt_at: iso(d.lastAttemptAt),
});

export interface WebhookServiceOptions {
  now?: () => Date;
  /** Resolves a host when an endpoint is saved (tests answer for names they invent). */
  resolve?: Parameters<typeof resolveAllowed>[2];
}

export class WebhookService {
  private readonly now: () => Date;

  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly policy: TargetPolicy,
    private readonly options: WebhookServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Registers an endpoint; its signing secret is returned now and never again. */
  async create(owner: Owner, input: NewEndpoint): Promise<EndpointView & { secret: string }> {
    const url = await this.checkTarget(input.url);
    return this.db.transaction(async (m) => {
      const scope = await this.scope(m, owner);
      const count = await m.countBy(WebhookEndpoint, { tenantId: scope.tenantId ?? IsNull() });
      if (count >= MAX_ENDPOINTS)
        throw new Conflict(`At most ${MAX_ENDPOINTS} webhook endpoints may be registered here.`, 'too_many_endpoints');
      const id = randomUUID();
      const secret = generateSecret();
      const now = this.now();
      const endpoint = Object.assign(new WebhookEndpoint(), {
        id,
        tenantId: scope.tenantId,
        url,
        description: input.description || null,
        events: JSON.stringify(input.events),
        secretSealed: this.box.seal(secret, id),
        previousSecretSealed: null,
        previousUntil: null,
        disabledAt: null,
        createdBy: scope.actor,
        createdAt: now,
        updatedAt: now,
      });
      await m.insert(WebhookEndpoint, endpoint);
      await audit(m, scope, 'webhook.created', id, { url, events: input.events });
      return { ...toEndpointView(endpoint, now), secret };
    });
  }

  async list(owner: Owner, { limit, cursor }: { limit: number; cursor?: string }): Promise<Page<EndpointView>> {
    const after = decodeCursor(cursor);
    return this.db.read(async (m) => {
      const scope = await this.scope(m, owner);
      const query = m
        .createQueryBuilder(WebhookEndpoint, 'e')
        .where(scope.tenantId ? 'e.tenant_id = :tenantId' : 'e.tenant_id IS NULL', { tenantId: scope.tenantId })
        .orderBy('e.id', 'ASC')
        .take(limit + 1);
      if (after) query.andWhere('e.id > :after', { after });
      const now = this.now();
      return toPage(
        await query.getMany(),
        limit,
        (e) => e.id,
        (e) => toEndpointView(e, now),
      );
    });
  }

  async get(owner: Owner, id: string): Promise<EndpointView> {
    return this.db.read(async (m) =>
      toEndpointView(await this.endpoint(m, await this.scope(m, owner), id), this.now()),
    );
  }

  async update(owner: Owner, id: string, change: EndpointChange): Promise<EndpointView> {
    const url = change.url === undefined ? undefined : await this.checkTarget(change.url);
    return this.db.transaction(async (m) => {
      const scope = await this.scope(m, owner);
      const endpoint = await this.endpoint(m, scope, id);
      const now = this.now();
      if (url !== undefined) endpoint.url = url;
      if (change.events) endpoint.events = JSON.stringify(change.events);
      if (change.description !== undefined) endpoint.description = change.description || null;
      if (change.enabled !== undefined) endpoint.disabledAt = change.enabled ? null : (endpoint.disabledAt ?? now);
      endpoint.updatedAt = now;
      await m.save(WebhookEndpoint, endpoint);
      await audit(m, scope, 'webhook.updated', id, {
        url: endpoint.url,
        events: change.events,
        enabled: change.enabled,
      });
      return toEndpointView(endpoint, now);
    });
  }

  /** Deletes an endpoint with its delivery log; messages still queued for it find no delivery and send nothing. */
  async remove(owner: Owner, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const scope = await this.scope(m, owner);
      const endpoint = await this.endpoint(m, scope, id);
      const deliveries = (await m.findBy(WebhookDelivery, { endpointId: endpoint.id })).map((d) => d.id);
      for (let i = 0; i < deliveries.length; i += 500) {
        const chunk = deliveries.slice(i, i + 500);
        await m
          .createQueryBuilder()
          .delete()
          .from(WebhookAttempt)
          .where('delivery_id IN (:...chunk)', { chunk })
          .execute();
      }
      await m.delete(WebhookDelivery, { endpointId: endpoint.id });
      await m.delete(WebhookEndpoint, { id: endpoint.id });
      await audit(m, scope, 'webhook.deleted', endpoint.id, { url: endpoint.url });
    });
  }

  /**
   * A new secret, returned once; the previous one keeps signing (as a second signature) for the overlap,
   * so receivers can switch without losing a delivery. A rotation during an overlap drops the oldest secret.
   */
  async rotateSecret(owner: Owner, id: string, overlapSeconds: number): Promise<RotatedSecret> {
    return this.db.transaction(async (m) => {
      const scope = await this.scope(m, owner);
      const endpoint = await this.endpoint(m, scope, id);
      const now = this.now();
      const secret = generateSecret();
      // Whole seconds: what MySQL's DATETIME keeps, so the answer and later reads agree.
      const until = new Date(Math.floor(now.getTime() / 1000 + overlapSeconds) * 1000);
      await m.update(
        WebhookEndpoint,
        { id },
        {
          previousSecretSealed: endpoint.secretSealed,
          previousUntil: until,
          secretSealed: this.box.seal(secret, id),
          updatedAt: now,
        },
      );
      await audit(m, scope, 'webhook.secret_rotated', id);
      return { secret, previous_secret_valid_until: until.toISOString() };
    });
  }

  /** Queues a `webhook.ping` to the endpoint, whatever it subscribes to. */
  async ping(owner: Owner, id: string): Promise<DeliveryView> {
    return this.db.transaction(async (m) => {
      const endpoint = await this.endpoint(m, await this.scope(m, owner), id);
      if (endpoint.disabledAt) throw new Conflict('The endpoint is disabled.', 'endpoint_disabled');
      const delivery = await emitPing(m, endpoint);
      return toDeliveryView(delivery, 'webhook.ping');
    });
  }

  /** The endpoint's delivery log, newest first. */
  async deliveries(
    owner: Owner,
    endpointId: string,
    { limit, cursor, status }: { limit: number; cursor?: string; status?: DeliveryView['status'] },
  ): Promise<Page<DeliveryView>> {
    const before = decodeCursor(cursor);
    return this.db.read(async (m) => {
      const endpoint = await this.endpoint(m, await this.scope(m, owner), endpointId);
      const query = m
        .createQueryBuilder(WebhookDelivery, 'd')
        .innerJoin(WebhookEvent, 'ev', 'ev.id = d.event_id')
        .addSelect('ev.type', 'event_type')
        .where('d.endpoint_id = :endpointId', { endpointId: endpoint.id })
        .orderBy('d.id', 'DESC')
        .limit(limit + 1);
      if (before) query.andWhere('d.id < :before', { before });
      if (status) query.andWhere('d.status = :status', { status });
      const { entities, raw } = await query.getRawAndEntities<{ event_type: string }>();
      const rows = entities.map((d, i) => ({ d, type: raw[i]!.event_type }));
      return toPage(
        rows,
        limit,
        (r) => r.d.id,
        (r) => toDeliveryView(r.d, r.type),
      );
    });
  }

  /** One delivery with the payload it posts and every attempt. */
  async delivery(owner: Owner, endpointId: string, deliveryId: string): Promise<DeliveryDetail> {
    return this.db.read(async (m) => {
      const { delivery, event } = await this.deliveryOf(m, owner, endpointId, deliveryId);
      const attempts = await m.find(WebhookAttempt, { where: { deliveryId }, order: { number: 'ASC' } });
      return {
        ...toDeliveryView(delivery, event.type),
        payload: JSON.parse(event.payload) as Record<string, unknown>,
        attempt_log: attempts.map((a) => ({
          number: a.number,
          at: a.at.toISOString(),
          response_status: a.responseStatus,
          duration_ms: a.durationMs,
          error: a.error,
          response_body: a.responseBody,
        })),
      };
    });
  }

  /** Sends a delivery's event again, as a new delivery with the same webhook-id (receivers deduplicate by it). */
  async replay(owner: Owner, endpointId: string, deliveryId: string): Promise<DeliveryView> {
    return this.db.transaction(async (m) => {
      const { delivery, event, endpoint } = await this.deliveryOf(m, owner, endpointId, deliveryId);
      if (delivery.status === 'pending')
        throw new Conflict('The delivery is still being tried; replay it once it has ended.', 'delivery_pending');
      if (endpoint.disabledAt) throw new Conflict('The endpoint is disabled.', 'endpoint_disabled');
      return toDeliveryView(await queueDelivery(m, event, endpoint.id, delivery.id), event.type);
    });
  }

  /**
   * Forgets deliveries that ended more than `days` ago, with their attempts, and events no delivery needs any
   * more; returns how many deliveries went. Ids are time-ordered, so "older than" is a primary-key range.
   */
  async deleteEnded(days = DELIVERY_RETENTION_DAYS): Promise<number> {
    const before = timeOrderedId(this.now().getTime() - days * 24 * 3600 * 1000).slice(0, 13);
    const ended = "id < :before AND status <> 'pending'";
    return this.db.transaction(async (m) => {
      await m
        .createQueryBuilder()
        .delete()
        .from(WebhookAttempt)
        .where(`delivery_id IN (SELECT id FROM webhook_deliveries WHERE ${ended})`, { before })
        .execute();
      const deleted = await m.createQueryBuilder().delete().from(WebhookDelivery).where(ended, { before }).execute();
      await m
        .createQueryBuilder()
        .delete()
        .from(WebhookEvent)
        .where('id < :before AND id NOT IN (SELECT event_id FROM webhook_deliveries)', { before })
        .execute();
      return deleted.affected ?? 0;
    });
  }

  private async deliveryOf(m: EntityManager, owner: Owner, endpointId: string, deliveryId: string) {
    const endpoint = await this.endpoint(m, await this.scope(m, owner), endpointId);
    const delivery = await m.findOneBy(WebhookDelivery, { id: deliveryId, endpointId: endpoint.id });
    if (!delivery) throw new NotFound('There is no such delivery for this endpoint.', 'delivery_not_found');
    const event = await m.findOneByOrFail(WebhookEvent, { id: delivery.eventId });
    return { endpoint, delivery, event };
  }

  /** Who acts, and on whose endpoints: a tenant's admins (or a tenants:manage client), or an operator. */
  private async scope(m: EntityManager, owner: Owner): Promise<Scope> {
    if (owner.kind === 'operator') return { tenantId: null, actor: owner.actor };
    requireAdmin(await accessTo(m, owner.caller, owner.tenantId));
    return { tenantId: owner.tenantId, actor: actorOf(owner.caller) };
  }

  private async endpoint(m: EntityManager, scope: Scope, id: string): Promise<WebhookEndpoint> {
    const endpoint = await m.findOneBy(WebhookEndpoint, { id, tenantId: scope.tenantId ?? IsNull() });
    if (!endpoint) throw new NotFound('There is no such webhook endpoint.', 'endpoint_not_found');
    return endpoint;
  }

  /** The URL, if the target policy allows it; a host name is resolved and each of its addresses checked. */
  private async checkTarget(value: string): Promise<string> {
    try {
      const url = checkUrl(value, this.policy);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (!this.policy.allowPrivate && !isIP(host)) await resolveAllowed(host, this.policy, this.options.resolve);
      return url.href;
    } catch (error) {
      if (error instanceof TargetRefused) throw new Unprocessable(error.message, error.code);
      const code = (error as NodeJS.ErrnoException).code;
      throw new Unprocessable(`The URL’s host does not resolve${code ? ` (${code})` : ''}.`, 'unresolvable_host');
    }
  }
}
