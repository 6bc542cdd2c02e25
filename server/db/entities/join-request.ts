import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One person's domain join with one tenant, whatever the policy: `pending`, `approved` or `denied` (the
 * request policy, decided by a tenant admin), `joined` (auto, or a suggestion accepted) or `skipped` (a
 * suggestion or request declined). One row per (tenant, account): a tenant's domain offers itself once.
 */
export type JoinStatus = 'pending' | 'approved' | 'denied' | 'joined' | 'skipped';

@Entity('join_requests')
export class JoinRequest {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  /** The verified domain of the person's e-mail that offered the tenant. */
  @Column({ type: 'varchar', length: 253 })
  domain: string;

  /** The verified address that qualified the person, as it was then (what the deciding admin sees). */
  @Column({ type: 'varchar', length: 320 })
  email: string;

  @Column({ type: 'varchar', length: 10 })
  status: JoinStatus;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'decided_at', type: 'datetime', nullable: true })
  decidedAt: Date | null;

  /** The admin (`<account id>` or `client:<id>`) who approved or denied. */
  @Column({ name: 'decided_by', type: 'varchar', length: 120, nullable: true })
  decidedBy: string | null;

  /** When the person was shown an admin's decision at sign-in. */
  @Column({ name: 'seen_at', type: 'datetime', nullable: true })
  seenAt: Date | null;
}
