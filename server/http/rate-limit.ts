// Rate limits and quotas, counted in the database (table `rate_limits`) so every instance shares them.
// A count is one conditional upsert on the caller's connection: inside a transaction it never waits on
// the pool for a second connection, it rolls back with a refused request, and the row lock it takes
// makes concurrent requests for one key count one after the other (exact, never over the limit).
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Database } from '../db/database.js';
import { TooManyRequests } from '../errors.js';

export interface RateLimitOptions {
  /** Attempts allowed per key within the window. */
  points: number;
  durationSeconds: number;
  /** Names this limit (e.g. `login-account`), so limits sharing a key do not share a count. */
  keyPrefix: string;
}

export interface RateLimiter {
  /** Counts one attempt; throws TooManyRequests (with Retry-After) once the limit is spent. */
  consume(key: string): Promise<void>;
  /** Forgets the attempts, e.g. after a successful sign-in. */
  reset(key: string): Promise<void>;
}

/** A limit counted inside the caller's transaction, so it is only spent when the work commits. */
export interface Quota {
  /** Counts one use on `m`'s connection; throws TooManyRequests (with Retry-After) once the limit is spent. */
  consume(m: EntityManager, key: string): Promise<void>;
}

export interface Use {
  /** False once this use went over the limit. */
  allowed: boolean;
  retryAfterSeconds: number;
}

/** For limits checked outside any transaction (sign-in, registration, reset requests). */
export function createRateLimiter(db: Database, options: RateLimitOptions): RateLimiter {
  return {
    async consume(key) {
      const use = await db.transaction((m) => countUse(m, options, key));
      if (!use.allowed) throw new TooManyRequests(use.retryAfterSeconds);
    },
    async reset(key) {
      await db.read((m) => m.query('DELETE FROM rate_limits WHERE `key` = ?', [rowKey(options, key)]));
    },
  };
}

export function createQuota(options: RateLimitOptions): Quota {
  return {
    async consume(m, key) {
      const use = await countUse(m, options, key);
      if (!use.allowed) throw new TooManyRequests(use.retryAfterSeconds);
    },
  };
}

/**
 * Counts one use of `key` on `m`'s connection and says whether it stayed within the limit. A window
 * starts at the first use after the previous one ran out. (`key` and backticks: both databases accept them.)
 */
export async function countUse(m: EntityManager, options: RateLimitOptions, key: string): Promise<Use> {
  const id = rowKey(options, key);
  const now = Date.now();
  const fresh = now + options.durationSeconds * 1000;
  // Both assignments read the old `expire` (MySQL assigns left to right, so `points` goes first).
  const next = 'points = CASE WHEN expire > ? THEN points + 1 ELSE 1 END, expire = CASE WHEN expire > ? THEN expire ELSE ? END';
  const upsert =
    m.connection.options.type === 'mysql'
      ? `INSERT INTO rate_limits (\`key\`, points, expire) VALUES (?, 1, ?) ON DUPLICATE KEY UPDATE ${next}`
      : `INSERT INTO rate_limits (\`key\`, points, expire) VALUES (?, 1, ?) ON CONFLICT (\`key\`) DO UPDATE SET ${next}`;
  await m.query(upsert, [id, fresh, now, now, fresh]);
  const [row] = (await m.query('SELECT points, expire FROM rate_limits WHERE `key` = ?', [id])) as { points: number | string; expire: number | string }[];
  const points = Number(row?.points ?? 1);
  return { allowed: points <= options.points, retryAfterSeconds: Math.max(1, (Number(row?.expire ?? fresh) - now) / 1000) };
}

// Keys are often e-mail addresses or IPs: hashed, the table holds no personal data, and every key
// fits the VARCHAR(255). Hex, because that column compares case-insensitively.
function rowKey(options: RateLimitOptions, key: string): string {
  return `${options.keyPrefix}:${createHash('sha256').update(key).digest('hex')}`;
}
