import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/** Finds one actor's events of a type quickly, e.g. how many tenants a person has created (the self-service cap). */
export class AuditActor1732200000101 implements MigrationInterface {
  name = 'AuditActor1732200000101';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'audit_events',
      new TableIndex({ name: 'idx_audit_events_actor', columnNames: ['actor', 'type'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('audit_events', 'idx_audit_events_actor');
  }
}
