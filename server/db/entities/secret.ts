import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Generated secrets shared by every instance (cookie keys when COOKIE_SECRETS is not set). */
@Entity('secrets')
export class Secret {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'text' })
  value: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
