import { Column, Entity, PrimaryColumn } from 'typeorm';

export type CodePurpose = 'verify_email' | 'reset_password';

/** A single-use, short-lived secret sent to a person; only its SHA-256 is stored. */
@Entity('verification_codes')
export class VerificationCode {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 20 })
  purpose: CodePurpose;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  /** What the code proves, e.g. the e-mail address it was sent to. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  target: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;

  @Column({ name: 'consumed_at', type: 'datetime', nullable: true })
  consumedAt: Date | null;
}
