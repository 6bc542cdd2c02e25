import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An invitation accepted in an authorization request, waiting for that request's code to be redeemed: the
 * ID token of that exchange carries the `invitation` claim, and the row is spent with it (once).
 */
@Entity('invitation_claims')
export class InvitationClaim {
  /** The authorization code's id (its jti). */
  @PrimaryColumn({ name: 'code_id', type: 'varchar', length: 255 })
  codeId: string;

  @Column({ name: 'invitation_id', type: 'varchar', length: 36 })
  invitationId: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  /** When the code expires: the claim goes with it. */
  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;
}
