import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A person. `id` is the OIDC `sub`; the profile e-mail is not unique and identifies nobody. */
@Entity('accounts')
export class Account {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified: boolean;

  @Column({ type: 'varchar', length: 32, nullable: true })
  phone: string | null;

  @Column({ name: 'phone_verified', type: 'boolean', default: false })
  phoneVerified: boolean;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 35, nullable: true })
  locale: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  /** The terms of service accepted at sign-up (TERMS_VERSION), when TERMS_URL was set then. */
  @Column({ name: 'terms_version', type: 'varchar', length: 64, nullable: true })
  termsVersion: string | null;

  @Column({ name: 'terms_accepted_at', type: 'datetime', nullable: true })
  termsAcceptedAt: Date | null;

  @Column({ name: 'disabled_at', type: 'datetime', nullable: true })
  disabledAt: Date | null;
}
