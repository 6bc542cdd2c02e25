import { Foundation1732200000000 } from './1732200000000-foundation.js';
import { RateLimits1732200000001 } from './1732200000001-rate-limits.js';
import { Tenants1732200000002 } from './1732200000002-tenants.js';
import { Invitations1732200000003 } from './1732200000003-invitations.js';
import { PendingTenantChoices1796191239510 } from './1796191239510-pending-tenant-choices.js';

/** Every migration, oldest first. */
export const migrations = [Foundation1732200000000, RateLimits1732200000001, Tenants1732200000002, Invitations1732200000003,
  PendingTenantChoices1796191239510];
