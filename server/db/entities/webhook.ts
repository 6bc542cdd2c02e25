import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Where events are posted: a tenant's endpoint, or the operators' (tenant_id null, every tenant's events). */
@Entity('webhook_endpoints')
export class WebhookEndpoint {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36, nullable: true })
  tenantId: string | null;

  @Column({ type: 'varchar', length: 2000 })
  url: string;

  @Column({ type: 'varchar', length: 300, nullable: true })
  description: string | null;

  /** JSON array of the event types it receives. */
  @Column({ type: 'text' })
  events: string;

  /** The signing secret, encrypted (never stored or shown in clear after creation). */
  @Column({ name: 'secret_sealed', type: 'varchar', length: 500 })
  secretSealed: string;

  /** The secret before the last rotation, still used to sign until `previous_until`. */
  @Column({ name: 'previous_secret_sealed', type: 'varchar', length: 500, nullable: true })
  previousSecretSealed: string | null;

  @Column({ name: 'previous_until', type: 'datetime', nullable: true })
  previousUntil: Date | null;

  @Column({ name: 'disabled_at', type: 'datetime', nullable: true })
  disabledAt: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 120 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}

/** Something that happened, as sent: its payload is the exact body every delivery of it signs. */
@Entity('webhook_events')
export class WebhookEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 60 })
  type: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36, nullable: true })
  tenantId: string | null;

  @Column({ type: 'text' })
  payload: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';

/** One event to one endpoint, carried by one outbox message; a replay is a new delivery of the same event. */
@Entity('webhook_deliveries')
export class WebhookDelivery {
  /** Time-ordered (UUIDv7), so the log reads newest first by id. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'endpoint_id', type: 'varchar', length: 36 })
  endpointId: string;

  @Column({ name: 'event_id', type: 'varchar', length: 36 })
  eventId: string;

  @Column({ name: 'outbox_id', type: 'varchar', length: 36 })
  outboxId: string;

  @Column({ type: 'varchar', length: 12 })
  status: WebhookDeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** The delivery this one replays, when it is a replay. */
  @Column({ name: 'replay_of', type: 'varchar', length: 36, nullable: true })
  replayOf: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'last_attempt_at', type: 'datetime', nullable: true })
  lastAttemptAt: Date | null;
}

/** One try at a delivery: what the endpoint answered (or why nothing did), and how long it took. */
@Entity('webhook_attempts')
export class WebhookAttempt {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'delivery_id', type: 'varchar', length: 36 })
  deliveryId: string;

  @Column({ type: 'int' })
  number: number;

  /** The HTTP status, or null when no answer came (refused address, timeout, connection error). */
  @Column({ name: 'response_status', type: 'int', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'duration_ms', type: 'int' })
  durationMs: number;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  error: string | null;

  /** The start of the answer's body, cut to a few hundred characters. */
  @Column({ name: 'response_body', type: 'varchar', length: 1000, nullable: true })
  responseBody: string | null;

  @Column({ type: 'datetime' })
  at: Date;
}
