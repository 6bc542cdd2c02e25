import { Column, Entity, PrimaryColumn } from 'typeorm';

export type KeyStatus = 'next' | 'current' | 'previous';

/** A signing key. All statuses are published; only `current` signs. */
@Entity('signing_keys')
export class SigningKey {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ type: 'varchar', length: 10 })
  alg: 'ES256' | 'RS256';

  @Column({ name: 'private_jwk', type: 'text' })
  privateJwk: string;

  @Column({ type: 'varchar', length: 10 })
  status: KeyStatus;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'status_changed_at', type: 'datetime' })
  statusChangedAt: Date;
}
