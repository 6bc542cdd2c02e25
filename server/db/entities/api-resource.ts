import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An app's own API: the audience its access tokens carry and the permissions it knows. */
@Entity('api_resources')
export class ApiResource {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** The resource indicator (RFC 8707) and the tokens' `aud`: an absolute URI, unique. */
  @Column({ type: 'varchar', length: 255 })
  audience: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** JSON array of permission names, e.g. ["invoices:read"]. */
  @Column({ type: 'text' })
  permissions: string;

  /** Seconds. */
  @Column({ name: 'access_token_ttl', type: 'int', default: 900 })
  accessTokenTtl: number;

  @Column({ name: 'signing_alg', type: 'varchar', length: 10 })
  signingAlg: string;

  /** Its permissions are listed in discovery's scopes_supported. */
  @Column({ name: 'is_public', type: 'boolean', default: false })
  isPublic: boolean;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
