// Rate limits and quotas, counted in the database (db/counter.ts) so every instance shares them.
import type { EntityManager } from 'typeorm';
import { countUse, type CountOptions, forgetUses } from '../db/counter.js';
import type { Database } from '../db/database.js';
import { TooManyRequests } from '../errors.js';

export type RateLimitOptions = CountOptions;

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

/** For limits checked outside any transaction (sign-in, registration, reset requests). */
export function createRateLimiter(db: Database, options: RateLimitOptions): RateLimiter {
  return {
    async consume(key) {
      const use = await db.write((m) => countUse(m, options, key));
      if (!use.allowed) throw new TooManyRequests(use.retryAfterSeconds);
    },
    async reset(key) {
      await db.write((m) => forgetUses(m, options, key));
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
