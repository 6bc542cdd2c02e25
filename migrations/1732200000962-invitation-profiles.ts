import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { optional, text } from './columns.js';

/** Profile data an invitation pre-fills at sign-up (name, locale; each editable or fixed), as JSON. */
export class InvitationProfiles1732200000962 implements MigrationInterface {
  name = 'InvitationProfiles1732200000962';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('invitations', new TableColumn(optional(text('profile'))));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('invitations', 'profile');
  }
}
