import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { primary, str, time } from './columns.js';

/** DPoP proofs the Management API accepted, so that a replayed proof is refused on every instance. */
export class DpopProofs1732200000040 implements MigrationInterface {
  name = 'DpopProofs1732200000040';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'dpop_proofs',
        columns: [primary(str('id', 64)), time('expires_at')],
        indices: [new TableIndex({ name: 'idx_dpop_proofs_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('dpop_proofs');
  }
}
