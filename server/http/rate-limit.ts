// Rate limits for credential endpoints (sign-in, codes), counted where every instance sees them.
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterMySQL, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
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

// One table for every limit; the library keys its rows `<keyPrefix>:<key>`.
const TABLE = 'rate_limits';

export function createRateLimiter(db: Database, options: RateLimitOptions): RateLimiter {
  const limiter = db.kind === 'mysql' ? mysqlLimiter(db, options) : memoryLimiter(options);
  return {
    async consume(key) {
      try {
        await limiter.consume(hashKey(key));
      } catch (err) {
        // The library rejects with a RateLimiterRes when the limit is spent, and with an Error when the store fails.
        if (err instanceof RateLimiterRes) throw new TooManyRequests(err.msBeforeNext / 1000);
        throw err;
      }
    },
    async reset(key) {
      await limiter.delete(hashKey(key));
    },
  };
}

// Keys are often e-mail addresses or IPs: hashed, the table holds no personal data, and every key
// fits the library's VARCHAR(255). Hex, because that column compares case-insensitively.
function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

// sql.js means a single instance: counting in its memory is exact.
function memoryLimiter(options: RateLimitOptions): RateLimiterAbstract {
  return new RateLimiterMemory({ points: options.points, duration: options.durationSeconds, keyPrefix: options.keyPrefix });
}

// The count lives in the database, so every instance behind the load balancer shares it.
// The table comes from our migrations, so the limiter is usable at once.
function mysqlLimiter(db: Database, options: RateLimitOptions): RateLimiterAbstract {
  const driver = db.dataSource.driver as unknown as { pool: unknown; database?: string };
  return new RateLimiterMySQL({
    storeClient: driver.pool, // TypeORM's mysql2 pool (callback API, which the library uses)
    storeType: 'pool',
    dbName: driver.database,
    tableName: TABLE,
    tableCreated: true,
    points: options.points,
    duration: options.durationSeconds,
    keyPrefix: options.keyPrefix,
  });
}
