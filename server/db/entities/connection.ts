import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ConnectionKind = 'oidc' | 'oauth2' | 'saml';

/**
 * An upstream identity provider Tessera signs people in through: global (`tenantId` null, offered to
 * everyone) or a tenant's own. `settings` and `claimMapping` are JSON; `secret` is the client secret,
 * encrypted (server/keys/sealing.ts) and never shown back. `membership` (JSON, a tenant's connection
 * only): the roles a sign-in through it grants in that tenant, from the person's upstream groups.
 */
@Entity('connections')
export class Connection {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  slug: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36, nullable: true })
  tenantId: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind: ConnectionKind;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text' })
  settings: string;

  @Column({ type: 'text', nullable: true })
  secret: string | null;

  @Column({ name: 'claim_mapping', type: 'text' })
  claimMapping: string;

  @Column({ type: 'text', nullable: true })
  membership: string | null;

  /** A global connection whose verified e-mails the operator trusts (a tenant's: its verified domains). */
  @Column({ name: 'trusted_for_email', type: 'boolean', default: false })
  trustedForEmail: boolean;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @Column({ name: 'disabled_at', type: 'datetime', nullable: true })
  disabledAt: Date | null;
}
