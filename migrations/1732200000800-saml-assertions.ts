import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { primary, str, time } from './columns.js';

/**
 * SAML assertions already used to sign in, kept until they expire so a replayed assertion is refused
 * (in the database: every server instance sees them).
 */
export class SamlAssertions1732200000800 implements MigrationInterface {
  name = 'SamlAssertions1732200000800';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'saml_assertions',
        columns: [
          /** sha256 (hex) of the connection id and the assertion's ID. */
          primary(str('id', 64)),
          time('expires_at'),
        ],
        indices: [new TableIndex({ name: 'idx_saml_assertions_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('saml_assertions');
  }
}
