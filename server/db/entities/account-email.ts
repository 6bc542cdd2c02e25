import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An address an account proved beyond its own e-mail (with a one-time code sent to it). It only matches
 * e-mail-bound invitations; it never signs in, so nobody can be found or taken over through it.
 */
@Entity('account_emails')
export class AccountEmail {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  /** Normalised (accounts/service.ts normaliseEmail). */
  @PrimaryColumn({ type: 'varchar', length: 320 })
  email: string;

  @Column({ name: 'verified_at', type: 'datetime' })
  verifiedAt: Date;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
