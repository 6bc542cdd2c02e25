import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * Invitations bound to a phone number are looked up by it (those waiting for an account's verified phone at
 * sign-in), as those bound to an e-mail are by theirs.
 */
export class InvitationPhones1732200000650 implements MigrationInterface {
  name = 'InvitationPhones1732200000650';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('invitations', new TableIndex({ name: 'idx_invitations_phone', columnNames: ['phone'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('invitations', 'idx_invitations_phone');
  }
}
