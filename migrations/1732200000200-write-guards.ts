import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * Guard rows (db/cluster.ts writeGuard): a transaction that must not run beside another of its kind writes
 * the same row, which on a Galera or Group Replication cluster serialises them where a row lock cannot.
 */
export class WriteGuards1732200000200 implements MigrationInterface {
  name = 'WriteGuards1732200000200';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'write_guards',
        columns: [
          { name: 'name', type: 'varchar', length: '191', isPrimary: true },
          { name: 'writes', type: 'bigint', default: 0 },
        ],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('write_guards');
  }
}
