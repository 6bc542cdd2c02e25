import { Column, Entity, PrimaryColumn } from 'typeorm';

export type DomainMethod = 'dns' | 'operator';
export type JoinPolicy = 'off' | 'suggest' | 'auto' | 'request';

/** An e-mail domain a tenant claimed; once verified (by DNS or an operator) it belongs to that tenant alone. */
@Entity('tenant_domains')
export class TenantDomain {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  /** Normalised: lower case, IDNA (punycode), no trailing dot. */
  @Column({ type: 'varchar', length: 253 })
  domain: string;

  /** The domain again once verified, null before: unique, so one tenant at most holds a domain verified. */
  @Column({ name: 'verified_domain', type: 'varchar', length: 253, nullable: true })
  verifiedDomain: string | null;

  /** What the DNS TXT record must say (published by the tenant, so not a secret). */
  @Column({ name: 'verification_token', type: 'varchar', length: 64 })
  verificationToken: string;

  @Column({ name: 'verified_at', type: 'datetime', nullable: true })
  verifiedAt: Date | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  method: DomainMethod | null;

  @Column({ name: 'join_policy', type: 'varchar', length: 10, default: 'off' })
  joinPolicy: JoinPolicy;

  /** The tenant's connection that signs in people of this domain (home-realm discovery); null: none. */
  @Column({ name: 'sso_connection_id', type: 'varchar', length: 36, nullable: true })
  ssoConnectionId: string | null;

  /** False: a password is never checked for an address of this domain while it routes to a connection. */
  @Column({ name: 'password_sign_in', type: 'boolean', default: true })
  passwordSignIn: boolean;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  /** `<account id>`, `client:<id>` or `cli`. */
  @Column({ name: 'created_by', type: 'varchar', length: 120 })
  createdBy: string;
}
