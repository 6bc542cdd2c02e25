import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An account with the operator role: it runs this Tessera (the operator API, the console, the CLI). */
@Entity('operators')
export class Operator {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  /** Who granted the role: an operator's account id, `client:<id>`, `cli`, `setup-link` or `bootstrap`. */
  @Column({ name: 'granted_by', type: 'varchar', length: 120, nullable: true })
  grantedBy: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
