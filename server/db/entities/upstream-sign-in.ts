import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An upstream sign-in under way: `started` (sent upstream) → `returned` (the callback proved a profile)
 * → `done`, or `pending_link` while the person re-authenticates to link the identity to an existing account.
 * `purpose`: `sign_in` (in an interaction), `reauth` (proving the existing account of a pending link,
 * `parentId`), `link` (from the account page, for `accountId`).
 */
@Entity('upstream_sign_ins')
export class UpstreamSignIn {
  /** sha256 (hex) of the `state` sent upstream. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'connection_id', type: 'varchar', length: 36 })
  connectionId: string;

  @Column({ type: 'varchar', length: 16 })
  purpose: 'sign_in' | 'reauth' | 'link';

  @Column({ name: 'interaction_uid', type: 'varchar', length: 255, nullable: true })
  interactionUid: string | null;

  @Column({ name: 'account_id', type: 'varchar', length: 36, nullable: true })
  accountId: string | null;

  @Column({ name: 'code_verifier', type: 'varchar', length: 128 })
  codeVerifier: string;

  @Column({ type: 'varchar', length: 64 })
  nonce: string;

  @Column({ type: 'varchar', length: 16 })
  status: 'started' | 'returned' | 'pending_link' | 'done' | 'failed';

  /** The upstream profile (JSON) once returned. */
  @Column({ type: 'text', nullable: true })
  profile: string | null;

  /** The existing account a pending identity would be linked to after re-authentication. */
  @Column({ name: 'link_account_id', type: 'varchar', length: 36, nullable: true })
  linkAccountId: string | null;

  @Column({ name: 'parent_id', type: 'varchar', length: 64, nullable: true })
  parentId: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;
}
