import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A DPoP proof the Management API has accepted, kept until its `iat` leaves the window, so it cannot be replayed. */
@Entity('dpop_proofs')
export class DpopProof {
  /** SHA-256 (hex) of the key's thumbprint and the proof's `jti`: a proof's id within its key. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 64 })
  id: string;

  @Index('idx_dpop_proofs_expires')
  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;
}
