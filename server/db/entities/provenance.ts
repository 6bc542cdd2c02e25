// The columns that say where a membership or a role came from and when its access ends (shared by both tables).
import { Column } from 'typeorm';

/** How a membership or role was granted. `unknown`: made before Tessera recorded it. */
export const SOURCE_TYPES = ['invitation', 'domain', 'sso', 'admin', 'self_service', 'operator', 'unknown'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export abstract class Provenance {
  @Column({ type: 'varchar', length: 20, default: 'unknown' })
  source: SourceType;

  /** The invitation id, connection slug or domain it came through. */
  @Column({ name: 'source_ref', type: 'varchar', length: 320, nullable: true })
  sourceRef: string | null;

  /** The jti of the invitation token that was accepted. */
  @Column({ name: 'source_jti', type: 'varchar', length: 36, nullable: true })
  sourceJti: string | null;

  /** The account (or `client:<id>`, `operator:<id>`) that granted it. */
  @Column({ name: 'granted_by', type: 'varchar', length: 120, nullable: true })
  grantedBy: string | null;

  /** When the access ends; null: it does not. */
  @Column({ name: 'expires_at', type: 'datetime', nullable: true })
  expiresAt: Date | null;

  /** When the sweep recorded that the end passed (`membership.access_ended`), so it is announced once. */
  @Column({ name: 'ended_recorded_at', type: 'datetime', nullable: true })
  endedRecordedAt: Date | null;
}
