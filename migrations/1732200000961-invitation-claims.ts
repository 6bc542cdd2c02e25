import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { primary, str, time, uuid } from './columns.js';

/** Invitations accepted in an authorization request, held until its code is redeemed (the ID token's claim). */
export class InvitationClaims1732200000961 implements MigrationInterface {
  name = 'InvitationClaims1732200000961';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'invitation_claims',
        columns: [primary(str('code_id', 255)), uuid('invitation_id'), uuid('account_id'), time('expires_at')],
        indices: [new TableIndex({ name: 'idx_invitation_claims_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('invitation_claims');
  }
}
