import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Provenance } from './provenance.js';

@Entity('membership_roles')
export class MembershipRole extends Provenance {
  @PrimaryColumn({ name: 'membership_id', type: 'varchar', length: 36 })
  membershipId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  role: string;

  /** Denormalised so a role's uses in a tenant are found without a join. */
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  /** When this role was granted (null for roles granted before Tessera recorded it). */
  @Column({ name: 'granted_at', type: 'datetime', nullable: true })
  grantedAt: Date | null;
}
