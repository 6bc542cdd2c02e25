import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A way to sign in to an account. For `password`, `identifier` is the normalised sign-in
 * e-mail, unique among password credentials (the account's profile e-mail is not).
 */
@Entity('credentials')
export class Credential {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 20 })
  type: 'password';

  @Column({ type: 'varchar', length: 320 })
  identifier: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 255 })
  secretHash: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
