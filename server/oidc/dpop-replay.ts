// Remembers the DPoP proofs the Management API accepted, in the database, so a proof replayed to
// any instance is refused; rows are kept only while their proof could still be accepted.
import { createHash } from 'node:crypto';
import { LessThan } from 'typeorm';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { DpopProof } from '../db/entities/index.js';

/** How often one instance deletes expired rows: often enough to keep the table small, rarely enough to cost nothing. */
const PURGE_EVERY_MS = 60_000;

export class DpopReplayStore {
  private nextPurge = 0;

  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Records the proof `jti` of the key `jkt`; false when it was recorded before (a replay). One
   * insert on a primary key decides it, so two instances racing with the same proof cannot both win.
   */
  async firstUse(jkt: string, jti: string, keepUntil: Date): Promise<boolean> {
    await this.purgeIfDue();
    // Keyed by the key's thumbprint too: a caller with another key cannot use up someone else's jti.
    const id = createHash('sha256').update(`${jkt}.${jti}`).digest('hex');
    try {
      await this.db.write((m) => m.insert(DpopProof, { id, expiresAt: keepUntil }));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Deletes the rows of proofs that are too old to be accepted anyway. */
  async purgeExpired(): Promise<number> {
    const result = await this.db.write((m) => m.delete(DpopProof, { expiresAt: LessThan(this.now()) }));
    return result.affected ?? 0;
  }

  private async purgeIfDue(): Promise<void> {
    const now = this.now().getTime();
    if (now < this.nextPurge) return;
    this.nextPurge = now + PURGE_EVERY_MS;
    // Best effort: a failed cleanup (a lock wait, a cluster abort) must not fail the API call that
    // ran it; an expired row left behind only refuses a reused jti, which no honest client sends.
    await this.purgeExpired().catch(() => 0);
  }
}
