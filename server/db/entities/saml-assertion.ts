import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A SAML assertion already used, kept until it expires so that a replay of it is refused. */
@Entity('saml_assertions')
export class SamlAssertion {
  /** sha256 (hex) of the connection id and the assertion's ID. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;
}
