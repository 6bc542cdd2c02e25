import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { optional, primary, str, time, uuid } from './columns.js';

/**
 * Tenants' e-mail domains (claimed, then verified by DNS or an operator) and the join decisions their
 * domain join policies lead to. A domain may be claimed by several tenants while unverified; `verified_domain`
 * (the domain, set only once verified) is unique, so exactly one tenant can hold it verified.
 */
export class TenantDomains1732200000550 implements MigrationInterface {
  name = 'TenantDomains1732200000550';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'tenant_domains',
        columns: [
          primary(uuid('id')),
          uuid('tenant_id'),
          str('domain', 253),
          optional(str('verified_domain', 253)),
          str('verification_token', 64),
          optional(time('verified_at')),
          optional(str('method', 10)),
          str('join_policy', 10, { default: "'off'" }),
          time('created_at'),
          str('created_by', 120),
        ],
        indices: [
          new TableIndex({
            name: 'uq_tenant_domains_tenant_domain',
            columnNames: ['tenant_id', 'domain'],
            isUnique: true,
          }),
          new TableIndex({ name: 'uq_tenant_domains_verified', columnNames: ['verified_domain'], isUnique: true }),
          new TableIndex({ name: 'idx_tenant_domains_domain', columnNames: ['domain'] }),
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
        name: 'join_requests',
        columns: [
          primary(uuid('id')),
          uuid('tenant_id'),
          uuid('account_id'),
          str('domain', 253),
          str('email', 320),
          str('status', 10),
          time('created_at'),
          optional(time('decided_at')),
          optional(str('decided_by', 120)),
          optional(time('seen_at')),
        ],
        indices: [
          new TableIndex({
            name: 'uq_join_requests_tenant_account',
            columnNames: ['tenant_id', 'account_id'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'idx_join_requests_tenant_status',
            columnNames: ['tenant_id', 'status', 'created_at'],
          }),
          new TableIndex({ name: 'idx_join_requests_account', columnNames: ['account_id'] }),
        ],
        foreignKeys: [
          {
            columnNames: ['tenant_id'],
            referencedTableName: 'tenants',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('join_requests');
    await q.dropTable('tenant_domains');
  }
}
