import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { int, optional, primary, str, time, uuid } from './columns.js';

/**
 * Short one-time codes sent to an address or a number (e-mail sign-in now, SMS later): one table for every
 * purpose, each code bound to the sign-in (or account) it was asked for, stored as a keyed hash only.
 */
export class OneTimeCodes1732200000610 implements MigrationInterface {
  name = 'OneTimeCodes1732200000610';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'one_time_codes',
        columns: [
          primary(uuid('id')),
          str('purpose', 30),
          /** Where the code was sent: a normalised e-mail address, or an E.164 number. */
          str('identifier', 320),
          /** What the code belongs to: the sign-in's interaction uid (or an account); another's code is refused. */
          str('subject', 64),
          /** HMAC-SHA256 of the code under a server key, with the row's salt (salt.hash, base64url). */
          str('code_hash', 100),
          int('attempts'),
          time('created_at'),
          time('expires_at'),
          optional(time('consumed_at')),
        ],
        indices: [
          new TableIndex({ name: 'idx_one_time_codes_subject', columnNames: ['subject', 'purpose'] }),
          new TableIndex({ name: 'idx_one_time_codes_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('one_time_codes');
  }
}
