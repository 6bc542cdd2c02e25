import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One role of a tenant's catalogue; every tenant has `tenant-admin` and `tenant-user`. */
@Entity('tenant_roles')
export class TenantRole {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 300, nullable: true })
  description: string | null;

  /** Members holding this role may invite people with the roles they hold themselves (never tenant-admin). */
  @Column({ name: 'can_invite', type: 'boolean', default: false })
  canInvite: boolean;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
