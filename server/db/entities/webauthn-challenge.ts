import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ChallengePurpose = 'register' | 'authenticate';

/** A WebAuthn challenge Tessera issued, kept until its one use (deleted by it) or its expiry. */
@Entity('webauthn_challenges')
export class WebauthnChallenge {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  challenge: string;

  @Column({ type: 'varchar', length: 20 })
  purpose: ChallengePurpose;

  /** Who may answer it: the account registering a passkey, or the sign-in (interaction uid) using one. */
  @Column({ type: 'varchar', length: 64 })
  subject: string;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;
}
