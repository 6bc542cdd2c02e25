import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Provenance } from './provenance.js';

/** An account's membership of a tenant, by subject id; unique per (tenant, account). */
@Entity('memberships')
export class Membership extends Provenance {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  /** The invitation that granted it, if one did. */
  @Column({ name: 'invitation_id', type: 'varchar', length: 36, nullable: true })
  invitationId: string | null;
}
