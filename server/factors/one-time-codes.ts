// Short one-time codes sent to an address or a number (e-mail sign-in; SMS sign-in and sign-up reuse it):
// six digits, bound to the sign-in (subject) they were asked for, valid for minutes, stored as a keyed hash,
// at most MAX_ATTEMPTS guesses each, and spent by the one conditional update that marks them used.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { type EntityManager, IsNull, LessThan, MoreThan } from 'typeorm';
import type { Database } from '../db/database.js';
import { OneTimeCode, type OneTimeCodePurpose } from '../db/entities/index.js';

export const CODE_TTL_MS = 10 * 60 * 1000;
/** Guesses at one code (the right one included); then it is dead and the person asks for another. */
export const MAX_ATTEMPTS = 5;
const DIGITS = 6;
const CODE_SHAPE = new RegExp(`^\\d{${DIGITS}}$`);

export interface CodeTarget {
  purpose: OneTimeCodePurpose;
  /** What the code belongs to: the sign-in's interaction uid (or an account id). */
  subject: string;
}

export type CodeCheck =
  | { ok: true; identifier: string }
  | { ok: false; reason: 'no_code' | 'expired' | 'too_many_attempts' | 'wrong_code' };

/** Spaces, dashes and dots people type between digits do not count. */
export const normaliseCode = (code: string) => code.replace(/[\s.-]+/g, '');

export class OneTimeCodes {
  constructor(
    private readonly db: Database,
    /** The HMAC key: a copy of the database alone (salts and hashes) does not let anyone try the million codes. */
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A new code for `identifier`, issued inside the caller's transaction (with the message that carries it).
   * Every earlier open code of this subject and purpose is spent: a sign-in has one live code, so a guess
   * tests one code, whichever addresses it asked codes for.
   */
  async issue(m: EntityManager, target: CodeTarget, identifier: string): Promise<string> {
    const now = new Date(this.now());
    await this.withdraw(m, target);
    const code = String(randomInt(10 ** DIGITS)).padStart(DIGITS, '0');
    await m.insert(OneTimeCode, {
      id: crypto.randomUUID(),
      ...target,
      identifier,
      codeHash: this.hash(target, identifier, code, randomBytes(16).toString('base64url')),
      attempts: 0,
      createdAt: now,
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
      consumedAt: null,
    });
    return code;
  }

  /** Spends the subject's open codes of this purpose: none of them works afterwards. */
  async withdraw(m: EntityManager, target: CodeTarget): Promise<void> {
    await m.update(OneTimeCode, { ...target, consumedAt: IsNull() }, { consumedAt: new Date(this.now()) });
  }

  /**
   * Checks a typed code against the subject's live code. Each check first claims an attempt with a
   * conditional update (so concurrent guesses cannot exceed MAX_ATTEMPTS), and a right code is spent by
   * a second one: of many requests with the right code, exactly one gets `ok`.
   */
  async verify(target: CodeTarget, typed: string): Promise<CodeCheck> {
    const code = normaliseCode(typed);
    // Not a code at all (a slip, a pasted sentence): cannot match, so it costs no attempt.
    if (!CODE_SHAPE.test(code)) return { ok: false, reason: 'wrong_code' };
    const now = new Date(this.now());
    const row = await this.db.read((m) =>
      m.findOne(OneTimeCode, { where: { ...target, consumedAt: IsNull() }, order: { createdAt: 'DESC' } }),
    );
    if (!row) return { ok: false, reason: 'no_code' };
    if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
    const claimed = await this.db.write((m) =>
      m.update(
        OneTimeCode,
        { id: row.id, consumedAt: IsNull(), attempts: LessThan(MAX_ATTEMPTS), expiresAt: MoreThan(now) },
        { attempts: () => 'attempts + 1' },
      ),
    );
    if (claimed.affected !== 1) return { ok: false, reason: 'too_many_attempts' };
    if (!this.matches(row, code)) return { ok: false, reason: 'wrong_code' };
    const spent = await this.db.write((m) =>
      m.update(OneTimeCode, { id: row.id, consumedAt: IsNull() }, { consumedAt: now }),
    );
    return spent.affected === 1 ? { ok: true, identifier: row.identifier } : { ok: false, reason: 'no_code' };
  }

  /** Deletes codes past their expiry, keeping the table small. */
  async deleteExpired(): Promise<number> {
    const now = new Date(this.now());
    return (await this.db.write((m) => m.delete(OneTimeCode, { expiresAt: LessThan(now) }))).affected ?? 0;
  }

  private matches(row: OneTimeCode, code: string): boolean {
    const [salt] = row.codeHash.split('.');
    if (!salt) return false;
    const expected = Buffer.from(row.codeHash);
    const given = Buffer.from(this.hash(row, row.identifier, code, salt));
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /** `salt.hmac`: the HMAC covers purpose, subject and identifier too, so a row cannot be moved to another. */
  private hash(target: CodeTarget, identifier: string, code: string, salt: string): string {
    const mac = createHmac('sha256', this.key)
      .update([target.purpose, target.subject, identifier, salt, code].join('\n'))
      .digest('base64url');
    return `${salt}.${mac}`;
  }
}
