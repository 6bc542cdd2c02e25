import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A customer of the SaaS app. Soft-deleted: `deletedAt` hides it everywhere and drops it from tokens. */
@Entity('tenants')
export class Tenant {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 63 })
  slug: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** JSON object for the integrating app. */
  @Column({ type: 'text' })
  attributes: string;

  /** JSON: who may sign in how while this tenant is active (tenants/sign-in-policy.ts); null = no rules. */
  @Column({ name: 'sign_in_policy', type: 'text', nullable: true })
  signInPolicy: string | null;

  /** JSON: which roles a multi-use link may grant, which need approval (tenants/invitation-policy.ts); null = defaults. */
  @Column({ name: 'invitation_policy', type: 'text', nullable: true })
  invitationPolicy: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @Column({ name: 'deleted_at', type: 'datetime', nullable: true })
  deletedAt: Date | null;
}
