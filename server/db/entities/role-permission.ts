import { Entity, PrimaryColumn } from 'typeorm';

/** In one tenant, a role holds a permission of an API resource. */
@Entity('role_permissions')
export class RolePermission {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  role: string;

  @PrimaryColumn({ name: 'resource_id', type: 'varchar', length: 36 })
  resourceId: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  permission: string;
}
