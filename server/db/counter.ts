// Counters in the database (table `rate_limits`), for rate limits, quotas and mail limits that every
// instance shares. A count is one conditional upsert on the caller's connection: inside a transaction it
// never waits on the pool for a second connection, it rolls back with a refused request, and the row lock
// it takes makes concurrent requests for one key count one after the other (exact, never over the limit).
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';

export interface CountOptions {
  /** Uses allowed per key within the window. */
  points: number;
  durationSeconds: number;
  /** Names this count (e.g. `login-account`), so counts sharing a key do not share a row. */
  keyPrefix: string;
}

export interface Use {
  /** False once this use went over the limit. */
  allowed: boolean;
  retryAfterSeconds: number;
}

/**
 * Counts one use of `key` on `m`'s connection and says whether it stayed within the limit. A window
 * starts at the first use after the previous one ran out. (`key` and backticks: both databases accept them.)
 */
export async function countUse(m: EntityManager, options: CountOptions, key: string): Promise<Use> {
  const id = rowKey(options, key);
  const now = Date.now();
  const fresh = now + options.durationSeconds * 1000;
  // Both assignments read the old `expire` (MySQL assigns left to right, so `points` goes first).
  const next =
    'points = CASE WHEN expire > ? THEN points + 1 ELSE 1 END, expire = CASE WHEN expire > ? THEN expire ELSE ? END';
  const upsert =
    m.connection.options.type === 'mysql'
      ? `INSERT INTO rate_limits (\`key\`, points, expire) VALUES (?, 1, ?) ON DUPLICATE KEY UPDATE ${next}`
      : `INSERT INTO rate_limits (\`key\`, points, expire) VALUES (?, 1, ?) ON CONFLICT (\`key\`) DO UPDATE SET ${next}`;
  await m.query(upsert, [id, fresh, now, now, fresh]);
  const [row] = (await m.query('SELECT points, expire FROM rate_limits WHERE `key` = ?', [id])) as {
    points: number | string;
    expire: number | string;
  }[];
  const points = Number(row?.points ?? 1);
  return {
    allowed: points <= options.points,
    retryAfterSeconds: Math.max(1, (Number(row?.expire ?? fresh) - now) / 1000),
  };
}

// Keys are often e-mail addresses or IPs: hashed, the table holds no personal data, and every key
// fits the VARCHAR(255). Hex, because that column compares case-insensitively.
function rowKey(options: CountOptions, key: string): string {
  return `${options.keyPrefix}:${createHash('sha256').update(key).digest('hex')}`;
}

/** Forgets the uses of `key`, e.g. after a successful sign-in. */
export async function forgetUses(m: EntityManager, options: CountOptions, key: string): Promise<void> {
  await m.query('DELETE FROM rate_limits WHERE `key` = ?', [rowKey(options, key)]);
}
