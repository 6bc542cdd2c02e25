import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One account's decision on an invitation; a decline may later become an accept while uses remain. */
@Entity('invitation_redemptions')
export class InvitationRedemption {
  @PrimaryColumn({ name: 'invitation_id', type: 'varchar', length: 36 })
  invitationId: string;

  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 10 })
  decision: 'accepted' | 'declined';

  @Column({ type: 'datetime' })
  at: Date;
}
