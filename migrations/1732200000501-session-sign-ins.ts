import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { optional, primary, str, time, uuid } from './columns.js';

/** Through which connection a browser session signed in (the ID token's `idp`), keyed by the session's uid. */
export class SessionSignIns1732200000501 implements MigrationInterface {
  name = 'SessionSignIns1732200000501';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'session_sign_ins',
        columns: [primary(str('session_uid', 255)), uuid('account_id'), optional(str('idp', 64)), time('expires_at')],
        indices: [new TableIndex({ name: 'idx_session_sign_ins_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('session_sign_ins');
  }
}
