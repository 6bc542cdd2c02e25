import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Who did what, to which tenant or subject, and when. */
@Entity('audit_events')
export class AuditEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 80 })
  type: string;

  @Column({ type: 'varchar', length: 120, nullable: true })
  actor: string | null;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36, nullable: true })
  tenantId: string | null;

  @Column({ type: 'varchar', length: 120, nullable: true })
  subject: string | null;

  @Column({ type: 'text', nullable: true })
  data: string | null;

  /** Milliseconds kept (DATETIME(3) on MySQL), so the events of one second keep their order. */
  @Column({ type: 'datetime', precision: 3 })
  at: Date;
}
