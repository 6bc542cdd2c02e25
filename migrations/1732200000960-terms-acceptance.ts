import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { optional, str, time } from './columns.js';

/** Which version of the terms of service an account accepted at sign-up, and when (TERMS_URL, TERMS_VERSION). */
export class TermsAcceptance1732200000960 implements MigrationInterface {
  name = 'TermsAcceptance1732200000960';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('accounts', [
      new TableColumn(optional(str('terms_version', 64))),
      new TableColumn(optional(time('terms_accepted_at'))),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('accounts', 'terms_accepted_at');
    await q.dropColumn('accounts', 'terms_version');
  }
}
