import { Foundation1732200000000 } from './1732200000000-foundation.js';
import { RateLimits1732200000001 } from './1732200000001-rate-limits.js';

/** Every migration, oldest first. */
export const migrations = [Foundation1732200000000, RateLimits1732200000001];
