import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An upstream account (a connection's subject) that signs in to a Tessera account: one more way to sign in. */
@Entity('identities')
export class Identity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'connection_id', type: 'varchar', length: 36 })
  connectionId: string;

  @Column({ type: 'varchar', length: 255 })
  subject: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  /** What the upstream last said the e-mail was, and whether Tessera counted it as verified. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified: boolean;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'datetime' })
  lastUsedAt: Date;
}
