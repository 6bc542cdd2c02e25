import { type MigrationInterface, type QueryRunner, TableColumn, TableForeignKey } from 'typeorm';
import { bool, optional, uuid } from './columns.js';

/**
 * Home-realm discovery per verified domain: the tenant's connection that signs in people of the domain
 * (emptied when that connection is deleted) and whether password sign-in stays allowed for its addresses.
 */
export class DomainSignIn1732200000850 implements MigrationInterface {
  name = 'DomainSignIn1732200000850';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('tenant_domains', [
      new TableColumn(optional(uuid('sso_connection_id'))),
      new TableColumn({ ...bool('password_sign_in'), default: true }),
    ]);
    await q.createForeignKey(
      'tenant_domains',
      new TableForeignKey({
        name: 'fk_tenant_domains_sso_connection',
        columnNames: ['sso_connection_id'],
        referencedTableName: 'connections',
        referencedColumnNames: ['id'],
        onDelete: 'SET NULL',
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropForeignKey('tenant_domains', 'fk_tenant_domains_sso_connection');
    await q.dropColumns('tenant_domains', ['sso_connection_id', 'password_sign_in']);
  }
}
