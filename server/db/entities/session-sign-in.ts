import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Through which connection (`idp`) a browser session last signed in; read when its ID tokens are issued. */
@Entity('session_sign_ins')
export class SessionSignIn {
  @PrimaryColumn({ name: 'session_uid', type: 'varchar', length: 255 })
  sessionUid: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  idp: string | null;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;
}
