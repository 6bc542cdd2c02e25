import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { bool, int, optional, primary, str, text, time, uuid } from './columns.js';

/** Accounts, credentials, codes, the provider's storage, clients, keys, secrets, outbox, audit. */
export class Foundation1732200000000 implements MigrationInterface {
  name = 'Foundation1732200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'accounts',
        columns: [
          primary(uuid('id')),
          optional(str('email', 320)),
          bool('email_verified'),
          optional(str('phone', 32)),
          bool('phone_verified'),
          optional(str('name', 200)),
          optional(str('locale', 35)),
          time('created_at'),
          time('updated_at'),
          optional(time('disabled_at')),
        ],
        indices: [new TableIndex({ name: 'idx_accounts_email', columnNames: ['email'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'credentials',
        columns: [
          primary(uuid('id')),
          uuid('account_id'),
          str('type', 20),
          str('identifier', 320),
          str('secret_hash', 255),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_credentials_type_identifier',
            columnNames: ['type', 'identifier'],
            isUnique: true,
          }),
          new TableIndex({ name: 'idx_credentials_account', columnNames: ['account_id'] }),
        ],
        foreignKeys: [
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
        name: 'verification_codes',
        columns: [
          primary(uuid('id')),
          uuid('account_id'),
          str('purpose', 20),
          str('code_hash', 64),
          optional(str('target', 320)),
          time('created_at'),
          time('expires_at'),
          optional(time('consumed_at')),
        ],
        indices: [
          new TableIndex({ name: 'uq_verification_codes_hash', columnNames: ['code_hash'], isUnique: true }),
          new TableIndex({ name: 'idx_verification_codes_account', columnNames: ['account_id', 'purpose'] }),
        ],
        foreignKeys: [
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
        name: 'oidc_payloads',
        columns: [
          primary(str('model', 40)),
          primary(str('id', 255)),
          text('payload'),
          optional(str('grant_id', 255)),
          optional(str('uid', 255)),
          optional(str('user_code', 255)),
          optional(time('expires_at')),
          optional(time('consumed_at')),
        ],
        indices: [
          new TableIndex({ name: 'idx_oidc_payloads_grant', columnNames: ['grant_id'] }),
          new TableIndex({ name: 'idx_oidc_payloads_uid', columnNames: ['uid'] }),
          new TableIndex({ name: 'idx_oidc_payloads_user_code', columnNames: ['user_code'] }),
          new TableIndex({ name: 'idx_oidc_payloads_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'clients',
        columns: [primary(str('id', 100)), text('metadata'), bool('first_party'), time('created_at')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          primary(str('kid', 64)),
          str('alg', 10),
          text('private_jwk'),
          str('status', 10),
          time('created_at'),
          time('status_changed_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'secrets',
        columns: [primary(str('name', 64)), text('value'), time('created_at')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'outbox',
        columns: [
          primary(uuid('id')),
          str('channel', 10),
          str('recipient', 320),
          str('subject', 300),
          text('body_text'),
          optional(text('body_html')),
          str('status', 10),
          int('attempts'),
          optional(str('last_error', 1000)),
          time('next_attempt_at'),
          time('created_at'),
          optional(time('sent_at')),
        ],
        indices: [new TableIndex({ name: 'idx_outbox_due', columnNames: ['status', 'next_attempt_at'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          primary(uuid('id')),
          str('type', 80),
          optional(str('actor', 120)),
          optional(uuid('tenant_id')),
          optional(str('subject', 120)),
          optional(text('data')),
          time('at'),
        ],
        indices: [
          new TableIndex({ name: 'idx_audit_events_tenant', columnNames: ['tenant_id', 'at'] }),
          new TableIndex({ name: 'idx_audit_events_at', columnNames: ['at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_events',
      'outbox',
      'secrets',
      'signing_keys',
      'clients',
      'oidc_payloads',
      'verification_codes',
      'credentials',
      'accounts',
    ]) {
      await q.dropTable(table);
    }
  }
}
