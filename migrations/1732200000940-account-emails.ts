import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { str, time, uuid } from './columns.js';

/**
 * Addresses an account proved beyond its own e-mail, to accept invitations bound to them (never to sign in).
 * Looked up by account (its page, its invitations) and by address (invitations bound to it).
 */
export class AccountEmails1732200000940 implements MigrationInterface {
  name = 'AccountEmails1732200000940';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'account_emails',
        columns: [
          { ...uuid('account_id'), isPrimary: true },
          /** Normalised, like accounts.email. */
          { ...str('email', 320), isPrimary: true },
          time('verified_at'),
          time('created_at'),
        ],
        indices: [new TableIndex({ name: 'idx_account_emails_email', columnNames: ['email'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('account_emails');
  }
}
