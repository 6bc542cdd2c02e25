import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A one-time link that makes whoever opens it (signed in) the first operator; only its hash is kept. */
@Entity('operator_setup_links')
export class OperatorSetupLink {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** SHA-256 of the token in the link (hex). */
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'datetime', nullable: true })
  usedAt: Date | null;

  @Column({ name: 'used_by', type: 'varchar', length: 36, nullable: true })
  usedBy: string | null;
}
