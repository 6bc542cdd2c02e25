import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { primary, str, time, uuid } from './columns.js';

/** Tenant choices made in an authorization request, held until its code is redeemed. */
export class PendingTenantChoices1732200000050 implements MigrationInterface {
  name = 'PendingTenantChoices1732200000050';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'pending_tenant_choices',
        columns: [
          primary(str('code_id', 255)),
          str('grant_id', 255),
          uuid('account_id'),
          uuid('tenant_id'),
          time('expires_at'),
        ],
        indices: [new TableIndex({ name: 'idx_pending_tenant_choices_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('pending_tenant_choices');
  }
}
