import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What a one-time code is for: signing in by e-mail or SMS, signing up with a number no account has, adding a
 * number on the account page (`phone_change`, subject: the account id), proving an invited address.
 */
export type OneTimeCodePurpose =
  | 'email_sign_in'
  | 'sms_sign_in'
  | 'sms_sign_up'
  | 'phone_change'
  | 'invitation_address';

/**
 * A short code sent to an address or a number, bound to the sign-in (`subject`) it was asked for: only its
 * keyed hash is stored; `attempts` counts wrong guesses; `consumedAt` is set by its one use (or its replacement).
 */
@Entity('one_time_codes')
export class OneTimeCode {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 30 })
  purpose: OneTimeCodePurpose;

  @Column({ type: 'varchar', length: 320 })
  identifier: string;

  @Column({ type: 'varchar', length: 64 })
  subject: string;

  @Column({ name: 'code_hash', type: 'varchar', length: 100 })
  codeHash: string;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;

  @Column({ name: 'consumed_at', type: 'datetime', nullable: true })
  consumedAt: Date | null;
}
