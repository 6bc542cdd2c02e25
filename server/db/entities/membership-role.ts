import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('membership_roles')
export class MembershipRole {
  @PrimaryColumn({ name: 'membership_id', type: 'varchar', length: 36 })
  membershipId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  role: string;

  /** Denormalised so a role's uses in a tenant are found without a join. */
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;
}
