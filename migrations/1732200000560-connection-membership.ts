import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { optional, text } from './columns.js';

/** Just-in-time membership of a tenant's connection: its default roles and upstream groups → roles (JSON). */
export class ConnectionMembership1732200000560 implements MigrationInterface {
  name = 'ConnectionMembership1732200000560';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('connections', new TableColumn(optional(text('membership'))));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('connections', 'membership');
  }
}
