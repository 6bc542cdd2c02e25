// Counters in the database (table `rate_limits`), for rate limits, quotas and mail limits that every
// instance shares. A count is one conditional upsert on the caller's connection: inside a transaction it
// never waits on the pool for a second connection, it rolls back with a refused request, and the row lock
// it takes makes concurrent requests for one key count one after the other (exact, never over the limit).
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { runStatement } from './statement.js';

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
 * starts at the first use after the previous one ran out. One statement, atomic by itself (no transaction
 * needed outside one), that also answers the new count: MySQL reports it as the insert id through
 * LAST_INSERT_ID(expr) (0 when the row was new), SQLite with RETURNING. The window's end is read only for
 * a refusal's Retry-After. (`key` and backticks: both databases accept them.)
 */
export async function countUse(m: EntityManager, options: CountOptions, key: string): Promise<Use> {
  const id = rowKey(options, key);
  const now = Date.now();
  const fresh = now + options.durationSeconds * 1000;
  const params = { id, now, fresh };
  const mysql = m.connection.options.type === 'mysql';
  const written = await runStatement<{ points: number | string }>(m, mysql ? COUNT.mysql : COUNT.sqlite, params);
  const points = mysql ? written.insertId || 1 : Number(written.rows[0]?.points ?? 1);
  if (points <= options.points) return { allowed: true, retryAfterSeconds: 0 };
  const { rows } = await runStatement<{ expire: number | string }>(
    m,
    'SELECT expire FROM rate_limits WHERE `key` = :id',
    params,
  );
  return { allowed: false, retryAfterSeconds: Math.max(1, (Number(rows[0]?.expire ?? fresh) - now) / 1000) };
}

// Both assignments read the old `expire` (MySQL assigns left to right, so `points` goes first).
const NEXT_POINTS = 'CASE WHEN expire > :now THEN points + 1 ELSE 1 END';
const NEXT_EXPIRE = 'expire = CASE WHEN expire > :now THEN expire ELSE :fresh END';
const COUNT = {
  mysql: `INSERT INTO rate_limits (\`key\`, points, expire) VALUES (:id, 1, :fresh)
    ON DUPLICATE KEY UPDATE points = LAST_INSERT_ID(${NEXT_POINTS}), ${NEXT_EXPIRE}`,
  sqlite: `INSERT INTO rate_limits (\`key\`, points, expire) VALUES (:id, 1, :fresh)
    ON CONFLICT (\`key\`) DO UPDATE SET points = ${NEXT_POINTS}, ${NEXT_EXPIRE} RETURNING points`,
} as const;

// Keys are often e-mail addresses or IPs: hashed, the table holds no personal data, and every key
// fits the VARCHAR(255). Hex, because that column compares case-insensitively.
function rowKey(options: CountOptions, key: string): string {
  return `${options.keyPrefix}:${createHash('sha256').update(key).digest('hex')}`;
}

/** Forgets the uses of `key`, e.g. after a successful sign-in. */
export async function forgetUses(m: EntityManager, options: CountOptions, key: string): Promise<void> {
  await runStatement(m, 'DELETE FROM rate_limits WHERE `key` = :id', { id: rowKey(options, key) });
}
