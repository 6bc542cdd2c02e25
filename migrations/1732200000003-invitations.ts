import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { bool, int, optional, primary, str, text, time, uuid } from './columns.js';

/** Invitations (signed tokens point at these rows) and each account's decision on one. */
export class Invitations1732200000003 implements MigrationInterface {
  name = 'Invitations1732200000003';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'invitations',
        columns: [
          primary(uuid('id')),
          uuid('token_jti'),
          uuid('tenant_id'),
          text('roles'),
          str('created_by', 120),
          time('created_at'),
          time('expires_at'),
          int('max_uses', { default: 1 }),
          int('use_count'),
          optional(time('revoked_at')),
          optional(time('ended_at')),
          optional(str('ended_reason', 20)),
          optional(str('email', 320)),
          optional(str('phone', 32)),
          optional(str('client_id', 100)),
          optional(str('redirect_uri', 2000)),
          text('metadata'),
          optional(str('locale', 35)),
          str('delivery', 10),
          bool('notify_inviter'),
          optional(str('handle_hash', 64)),
        ],
        indices: [
          new TableIndex({ name: 'idx_invitations_tenant', columnNames: ['tenant_id', 'created_at'] }),
          new TableIndex({ name: 'idx_invitations_email', columnNames: ['email'] }),
          new TableIndex({ name: 'uq_invitations_handle', columnNames: ['handle_hash'], isUnique: true }),
        ],
        foreignKeys: [
          {
            columnNames: ['tenant_id'],
            referencedTableName: 'tenants',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'invitation_redemptions',
        columns: [primary(uuid('invitation_id')), primary(uuid('account_id')), str('decision', 10), time('at')],
        foreignKeys: [
          {
            columnNames: ['invitation_id'],
            referencedTableName: 'invitations',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('invitation_redemptions');
    await q.dropTable('invitations');
  }
}
