import { Foundation1732200000000 } from './1732200000000-foundation.js';

/** Every migration, oldest first. */
export const migrations = [Foundation1732200000000];
