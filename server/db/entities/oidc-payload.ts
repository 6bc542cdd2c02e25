import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Everything oidc-provider persists (sessions, grants, codes, tokens, interactions). */
@Entity('oidc_payloads')
export class OidcPayload {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  model: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  id: string;

  @Column({ type: 'text' })
  payload: string;

  @Column({ name: 'grant_id', type: 'varchar', length: 255, nullable: true })
  grantId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  uid: string | null;

  /** The account a session, grant, token or finished sign-in belongs to: a credential change ends them all. */
  @Column({ name: 'account_id', type: 'varchar', length: 36, nullable: true })
  accountId: string | null;

  @Column({ name: 'user_code', type: 'varchar', length: 255, nullable: true })
  userCode: string | null;

  @Column({ name: 'expires_at', type: 'datetime', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'consumed_at', type: 'datetime', nullable: true })
  consumedAt: Date | null;
}
