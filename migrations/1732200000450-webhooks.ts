import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { int, optional, primary, str, text, time, uuid } from './columns.js';

/** Webhook endpoints, the events sent to them, each delivery and each attempt; and the expiry mark on invitations. */
export class Webhooks1732200000450 implements MigrationInterface {
  name = 'Webhooks1732200000450';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'webhook_endpoints',
        columns: [
          primary(uuid('id')),
          optional(uuid('tenant_id')),
          str('url', 2000),
          optional(str('description', 300)),
          text('events'),
          str('secret_sealed', 500),
          optional(str('previous_secret_sealed', 500)),
          optional(time('previous_until')),
          optional(time('disabled_at')),
          str('created_by', 120),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [new TableIndex({ name: 'idx_webhook_endpoints_tenant', columnNames: ['tenant_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'webhook_events',
        columns: [
          primary(uuid('id')),
          str('type', 60),
          optional(uuid('tenant_id')),
          text('payload'),
          time('created_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          primary(uuid('id')),
          uuid('endpoint_id'),
          uuid('event_id'),
          uuid('outbox_id'),
          str('status', 12),
          int('attempts'),
          optional(uuid('replay_of')),
          time('created_at'),
          optional(time('last_attempt_at')),
        ],
        indices: [
          new TableIndex({ name: 'idx_webhook_deliveries_endpoint', columnNames: ['endpoint_id', 'id'] }),
          new TableIndex({ name: 'idx_webhook_deliveries_outbox', columnNames: ['outbox_id'], isUnique: true }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'webhook_attempts',
        columns: [
          primary(uuid('id')),
          uuid('delivery_id'),
          int('number'),
          optional({ name: 'response_status', type: 'int' }),
          int('duration_ms'),
          optional(str('error', 1000)),
          optional(str('response_body', 1000)),
          time('at'),
        ],
        indices: [new TableIndex({ name: 'idx_webhook_attempts_delivery', columnNames: ['delivery_id', 'number'] })],
      }),
    );
    // Set once, by the sweep that records the invitation.expired event, so each expiry is announced once.
    await q.addColumn('invitations', new TableColumn(optional(time('expiry_recorded_at'))));
    await q.createIndex(
      'invitations',
      new TableIndex({ name: 'idx_invitations_expiry_sweep', columnNames: ['expiry_recorded_at', 'expires_at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('invitations', 'idx_invitations_expiry_sweep');
    await q.dropColumn('invitations', 'expiry_recorded_at');
    for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhook_events', 'webhook_endpoints'])
      await q.dropTable(table);
  }
}
