import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A tenant chosen in an authorization request, waiting for that request's authorization code to be
 * redeemed; only then does it become the grant's active tenant (a `grant_tenants` row).
 */
@Entity('pending_tenant_choices')
export class PendingTenantChoice {
  /** The authorization code's id (its jti). */
  @PrimaryColumn({ name: 'code_id', type: 'varchar', length: 255 })
  codeId: string;

  @Column({ name: 'grant_id', type: 'varchar', length: 255 })
  grantId: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  /** When the code expires: the choice goes with it. */
  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;
}
