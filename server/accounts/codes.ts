// Single-use, short-lived codes for e-mail verification and password reset; stored as SHA-256 only.
import { createHash, randomBytes } from 'node:crypto';
import { type EntityManager, IsNull, LessThan, MoreThan } from 'typeorm';
import { type CodePurpose, VerificationCode } from '../db/entities/index.js';

export const CODE_TTL_MS: Record<CodePurpose, number> = {
  verify_email: 24 * 3600 * 1000,
  reset_password: 30 * 60 * 1000,
};

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');

/** Issues a new code and invalidates the account's earlier unused codes for the same purpose. */
export async function issueCode(
  m: EntityManager,
  accountId: string,
  purpose: CodePurpose,
  target: string | null,
): Promise<string> {
  const now = new Date();
  await spendOpenCodes(m, accountId, purpose, now);
  const code = randomBytes(32).toString('base64url');
  await m.insert(VerificationCode, {
    id: crypto.randomUUID(),
    accountId,
    purpose,
    codeHash: hashCode(code),
    target,
    createdAt: now,
    expiresAt: new Date(now.getTime() + CODE_TTL_MS[purpose]),
    consumedAt: null,
  });
  return code;
}

/** Marks the account's unused codes (of one purpose, or all) as used: none of them works afterwards. */
export async function spendOpenCodes(
  m: EntityManager,
  accountId: string,
  purpose?: CodePurpose,
  now = new Date(),
): Promise<void> {
  await m.update(
    VerificationCode,
    { accountId, consumedAt: IsNull(), ...(purpose ? { purpose } : {}) },
    { consumedAt: now },
  );
}

/** Consumes a code atomically: exactly one caller wins, and only before it expires. */
export async function consumeCode(
  m: EntityManager,
  code: string,
  purpose: CodePurpose,
): Promise<VerificationCode | undefined> {
  const now = new Date();
  const row = await m.findOneBy(VerificationCode, {
    codeHash: hashCode(code),
    purpose,
    consumedAt: IsNull(),
    expiresAt: MoreThan(now),
  });
  if (!row) return undefined;
  const result = await m.update(VerificationCode, { id: row.id, consumedAt: IsNull() }, { consumedAt: now });
  return result.affected === 1 ? row : undefined;
}

/** Looks a code up without consuming it, to show the right page on GET. */
export async function peekCode(m: EntityManager, code: string, purpose: CodePurpose): Promise<VerificationCode | null> {
  return m.findOneBy(VerificationCode, {
    codeHash: hashCode(code),
    purpose,
    consumedAt: IsNull(),
    expiresAt: MoreThan(new Date()),
  });
}

/** Deletes codes that can no longer be used (expired), keeping the table small. */
export async function deleteExpiredCodes(m: EntityManager, now = new Date()): Promise<number> {
  return (await m.delete(VerificationCode, { expiresAt: LessThan(now) })).affected ?? 0;
}
