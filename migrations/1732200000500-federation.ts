import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { bool, optional, primary, str, text, time, uuid } from './columns.js';

/**
 * Federation: connections to upstream identity providers, the identities they prove, and the upstream
 * sign-ins under way (state, nonce and PKCE verifier kept server-side, single use, short-lived).
 */
export class Federation1732200000500 implements MigrationInterface {
  name = 'Federation1732200000500';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'connections',
        columns: [
          primary(uuid('id')),
          str('slug', 64, { isUnique: true }),
          optional(uuid('tenant_id')),
          str('kind', 16),
          str('name', 200),
          text('settings'),
          optional(text('secret')),
          text('claim_mapping'),
          bool('trusted_for_email'),
          time('created_at'),
          time('updated_at'),
          optional(time('disabled_at')),
        ],
        indices: [new TableIndex({ name: 'idx_connections_tenant', columnNames: ['tenant_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'identities',
        columns: [
          primary(uuid('id')),
          uuid('connection_id'),
          str('subject', 255),
          uuid('account_id'),
          optional(str('email', 320)),
          bool('email_verified'),
          time('created_at'),
          time('last_used_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_identities_connection_subject',
            columnNames: ['connection_id', 'subject'],
            isUnique: true,
          }),
          new TableIndex({ name: 'idx_identities_account', columnNames: ['account_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'upstream_sign_ins',
        columns: [
          // sha256 of the state sent upstream: the row is found by what comes back, never stored in the clear.
          primary(str('id', 64)),
          uuid('connection_id'),
          str('purpose', 16),
          optional(str('interaction_uid', 255)),
          optional(uuid('account_id')),
          str('code_verifier', 128),
          str('nonce', 64),
          str('status', 16),
          optional(text('profile')),
          optional(uuid('link_account_id')),
          optional(str('parent_id', 64)),
          time('created_at'),
          time('expires_at'),
        ],
        indices: [
          new TableIndex({ name: 'idx_upstream_sign_ins_interaction', columnNames: ['interaction_uid'] }),
          new TableIndex({ name: 'idx_upstream_sign_ins_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('upstream_sign_ins');
    await q.dropTable('identities');
    await q.dropTable('connections');
  }
}
