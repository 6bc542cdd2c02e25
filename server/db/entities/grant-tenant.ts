import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The active tenant chosen for an OIDC grant, so refresh keeps it; deleted with the grant. */
@Entity('grant_tenants')
export class GrantTenant {
  @PrimaryColumn({ name: 'grant_id', type: 'varchar', length: 255 })
  grantId: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;
}
