import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { optional, primary, str, time, uuid } from './columns.js';

/** Operators (accounts that run this Tessera) and the one-time links that make the first of them. */
export class Operators1732200000400 implements MigrationInterface {
  name = 'Operators1732200000400';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'operators',
        columns: [primary(uuid('account_id')), optional(str('granted_by', 120)), time('created_at')],
        foreignKeys: [
          {
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'operator_setup_links',
        columns: [
          primary(uuid('id')),
          str('token_hash', 64),
          time('created_at'),
          time('expires_at'),
          optional(time('used_at')),
          optional(uuid('used_by')),
        ],
        indices: [
          new TableIndex({ name: 'uq_operator_setup_links_hash', columnNames: ['token_hash'], isUnique: true }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('operator_setup_links');
    await q.dropTable('operators');
  }
}
