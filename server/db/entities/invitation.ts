import { Column, Entity, PrimaryColumn } from 'typeorm';

export type Delivery = 'email' | 'sms' | 'none';
export type ApprovalState = 'awaiting' | 'approved' | 'rejected';

/** An invitation to a tenant. The row is authoritative; the signed token only points at it. */
@Entity('invitations')
export class Invitation {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** The current token's jti: a resend replaces it, so older tokens stop working. */
  @Column({ name: 'token_jti', type: 'varchar', length: 36 })
  tokenJti: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  /** JSON array of role names. */
  @Column({ type: 'text' })
  roles: string;

  /** `<account id>` or `client:<id>`. */
  @Column({ name: 'created_by', type: 'varchar', length: 120 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;

  @Column({ name: 'max_uses', type: 'int' })
  maxUses: number;

  @Column({ name: 'use_count', type: 'int', default: 0 })
  useCount: number;

  @Column({ name: 'revoked_at', type: 'datetime', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'ended_at', type: 'datetime', nullable: true })
  endedAt: Date | null;

  @Column({ name: 'ended_reason', type: 'varchar', length: 20, nullable: true })
  endedReason: string | null;

  /** Normalised e-mail the invitation is bound to: only an account with this verified e-mail may use it. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  /** Where an SMS invitation was sent (delivery only, not a binding). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  phone: string | null;

  @Column({ name: 'client_id', type: 'varchar', length: 100, nullable: true })
  clientId: string | null;

  @Column({ name: 'redirect_uri', type: 'varchar', length: 2000, nullable: true })
  redirectUri: string | null;

  /** JSON object for the integrating app. */
  @Column({ type: 'text' })
  metadata: string;

  @Column({ type: 'varchar', length: 35, nullable: true })
  locale: string | null;

  /** Pre-filled sign-up fields, JSON ({name?, locale?}: each {value, editable}); see invitations/prefill.ts. */
  @Column({ type: 'text', nullable: true })
  profile: string | null;

  @Column({ type: 'varchar', length: 10 })
  delivery: Delivery;

  @Column({ name: 'notify_inviter', type: 'boolean', default: false })
  notifyInviter: boolean;

  /** SHA-256 of the short-link handle of an SMS invitation (the handle itself is never stored). */
  @Column({ name: 'handle_hash', type: 'varchar', length: 64, nullable: true })
  handleHash: string | null;

  /** When the sweep recorded this invitation's expiry (invitation.expired), so it is announced once. */
  @Column({ name: 'expiry_recorded_at', type: 'datetime', nullable: true })
  expiryRecordedAt: Date | null;

  /** Null: no approval needed; `awaiting` a second tenant-admin (no token exists yet), `approved`, `rejected`. */
  @Column({ type: 'varchar', length: 10, nullable: true })
  approval: ApprovalState | null;

  @Column({ name: 'approved_by', type: 'varchar', length: 120, nullable: true })
  approvedBy: string | null;

  @Column({ name: 'approved_at', type: 'datetime', nullable: true })
  approvedAt: Date | null;
  /** How long the access it grants lasts from acceptance (seconds); null: no end (unless accessExpiresAt). */
  @Column({ name: 'access_expires_in', type: 'int', nullable: true })
  accessExpiresIn: number | null;

  /** When the access it grants ends, whenever it is accepted; null: no end (unless accessExpiresIn). */
  @Column({ name: 'access_expires_at', type: 'datetime', nullable: true })
  accessExpiresAt: Date | null;

  /** A renewal: accepting it moves the end of the invited roles the person already holds. */
  @Column({ type: 'boolean', default: false })
  renews: boolean;
}
