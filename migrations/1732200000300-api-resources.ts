import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { bool, int, primary, str, text, time, uuid } from './columns.js';

/** The apps' own APIs (API resources) and, per tenant, which role holds which of their permissions. */
export class ApiResources1732200000300 implements MigrationInterface {
  name = 'ApiResources1732200000300';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'api_resources',
        columns: [
          primary(uuid('id')),
          str('audience', 255),
          str('name', 200),
          text('permissions'),
          int('access_token_ttl', { default: 900 }),
          str('signing_alg', 10),
          bool('is_public'),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [new TableIndex({ name: 'uq_api_resources_audience', columnNames: ['audience'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'role_permissions',
        columns: [
          primary(uuid('tenant_id')),
          primary(str('role', 64)),
          primary(uuid('resource_id')),
          primary(str('permission', 100)),
        ],
        indices: [new TableIndex({ name: 'idx_role_permissions_resource', columnNames: ['resource_id'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_role_permissions_resource',
            columnNames: ['resource_id'],
            referencedTableName: 'api_resources',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          // A role taken out of the catalogue takes its permissions along: one re-created later starts with none.
          new TableForeignKey({
            name: 'fk_role_permissions_role',
            columnNames: ['tenant_id', 'role'],
            referencedTableName: 'tenant_roles',
            referencedColumnNames: ['tenant_id', 'name'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('role_permissions');
    await q.dropTable('api_resources');
  }
}
