import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How an account proves who it is. `password` (accounts/): `identifier` is the normalised sign-in e-mail,
 * unique among password credentials, `secretHash` its argon2id hash. `webauthn` (factors/): `identifier`
 * is the passkey's credential id, `secret` its public key, `counter` its signature counter. `totp` and
 * `totp_pending` (factors/, one of each per account): `identifier` is the account id, `secret` the
 * encrypted key, `counter` the last time step accepted. `phone` (accounts/phone-accounts.ts): `identifier`
 * is the E.164 number the account signs in with by SMS code, unique among phone credentials; no secret.
 */
export type CredentialType = 'password' | 'webauthn' | 'totp' | 'totp_pending' | 'phone';

@Entity('credentials')
export class Credential {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 20 })
  type: CredentialType;

  @Column({ type: 'varchar', length: 320 })
  identifier: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 255, nullable: true })
  secretHash: string | null;

  @Column({ type: 'text', nullable: true })
  secret: string | null;

  /** A number below 2^53; both drivers may hand a BIGINT back as a string. */
  @Column({
    type: 'bigint',
    default: 0,
    transformer: { to: (v: number) => v, from: (v: string | number | null) => Number(v ?? 0) },
  })
  counter: number;

  /** WebAuthn transports (usb, nfc, ble, internal, hybrid…), comma-separated. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  transports: string | null;

  /** The name the person gave a passkey. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  name: string | null;

  @Column({ name: 'last_used_at', type: 'datetime', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
