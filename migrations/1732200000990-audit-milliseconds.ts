import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Audit events keep milliseconds on MySQL/MariaDB too (DATETIME(3)): with whole seconds, the events of one
 * second had no order, so a trail read newest first could show a change before its cause. SQLite keeps
 * milliseconds already. Earlier rows keep their whole seconds.
 */
export class AuditMilliseconds1732200000990 implements MigrationInterface {
  name = 'AuditMilliseconds1732200000990';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'mysql') return;
    await q.changeColumn('audit_events', 'at', new TableColumn({ name: 'at', type: 'datetime', precision: 3 }));
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'mysql') return;
    await q.changeColumn('audit_events', 'at', new TableColumn({ name: 'at', type: 'datetime' }));
  }
}
