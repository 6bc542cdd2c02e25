import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { optional, primary, str, text, time, uuid } from './columns.js';

/** Tenants, their role catalogues, memberships by subject id, and the active tenant of each grant. */
export class Tenants1732200000002 implements MigrationInterface {
  name = 'Tenants1732200000002';

  async up(q: QueryRunner): Promise<void> {
    const tenant = {
      columnNames: ['tenant_id'],
      referencedTableName: 'tenants',
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    };
    await q.createTable(
      new Table({
        name: 'tenants',
        columns: [
          primary(uuid('id')),
          str('slug', 63),
          str('name', 200),
          text('attributes'),
          time('created_at'),
          time('updated_at'),
          optional(time('deleted_at')),
        ],
        indices: [new TableIndex({ name: 'uq_tenants_slug', columnNames: ['slug'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'tenant_roles',
        columns: [
          primary(uuid('tenant_id')),
          primary(str('name', 64)),
          optional(str('description', 300)),
          time('created_at'),
        ],
        foreignKeys: [tenant],
      }),
    );
    await q.createTable(
      new Table({
        name: 'memberships',
        columns: [
          primary(uuid('id')),
          uuid('tenant_id'),
          uuid('account_id'),
          time('created_at'),
          optional(uuid('invitation_id')),
        ],
        indices: [
          new TableIndex({
            name: 'uq_memberships_tenant_account',
            columnNames: ['tenant_id', 'account_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'idx_memberships_account', columnNames: ['account_id'] }),
        ],
        foreignKeys: [
          tenant,
          {
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'membership_roles',
        columns: [primary(uuid('membership_id')), primary(str('role', 64)), uuid('tenant_id')],
        indices: [new TableIndex({ name: 'idx_membership_roles_tenant_role', columnNames: ['tenant_id', 'role'] })],
        foreignKeys: [
          {
            columnNames: ['membership_id'],
            referencedTableName: 'memberships',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'grant_tenants',
        columns: [primary(str('grant_id', 255)), uuid('account_id'), uuid('tenant_id'), time('expires_at')],
        indices: [new TableIndex({ name: 'idx_grant_tenants_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['grant_tenants', 'membership_roles', 'memberships', 'tenant_roles', 'tenants'])
      await q.dropTable(table);
  }
}
