// Recovery codes: ten random codes, shown once when made, stored as SHA-256 only (they are long random
// values, so a fast hash is enough), each spent by the one conditional update that marks it used.
import { createHash, randomInt } from 'node:crypto';
import { IsNull } from 'typeorm';
import type { Database } from '../db/database.js';
import { RecoveryCode } from '../db/entities/index.js';

export const RECOVERY_CODE_COUNT = 10;
// No 0/o, 1/l/i: codes are read off paper. 31 symbols × 10 ≈ 49 bits each.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 10;

const normalise = (code: string) => code.toLowerCase().replace(/[\s-]+/g, '');
const hashOf = (code: string) => createHash('sha256').update(normalise(code)).digest('hex');

export class RecoveryCodes {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new set, replacing every earlier code; the only time the codes are seen in clear. */
  async generate(accountId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
    const createdAt = new Date(this.now());
    await this.db.transaction(async (m) => {
      await m.delete(RecoveryCode, { accountId });
      await m.insert(
        RecoveryCode,
        codes.map((code) => ({ id: crypto.randomUUID(), accountId, codeHash: hashOf(code), createdAt, usedAt: null })),
      );
    });
    return codes;
  }

  /** Spends one code; true only for the one request whose update marked it used. */
  async use(accountId: string, code: string): Promise<boolean> {
    if (!/^[a-z0-9]{10}$/.test(normalise(code))) return false;
    const spent = await this.db.write((m) =>
      m.update(RecoveryCode, { accountId, codeHash: hashOf(code), usedAt: IsNull() }, { usedAt: new Date(this.now()) }),
    );
    return spent.affected === 1;
  }

  async remaining(accountId: string): Promise<number> {
    return this.db.read((m) => m.countBy(RecoveryCode, { accountId, usedAt: IsNull() }));
  }

  async remove(accountId: string): Promise<void> {
    await this.db.write((m) => m.delete(RecoveryCode, { accountId }));
  }
}

function newCode(): string {
  const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}
