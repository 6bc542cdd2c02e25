import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/** One thing's audit trail (the operator console's client, account and tenant pages), newest first. */
export class AuditSubject1732200000570 implements MigrationInterface {
  name = 'AuditSubject1732200000570';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'audit_events',
      new TableIndex({ name: 'idx_audit_events_subject', columnNames: ['subject', 'at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('audit_events', 'idx_audit_events_subject');
  }
}
