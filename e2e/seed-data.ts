// The fixed people and tenants every browser-test run starts with (written by e2e/seed.ts before the
// server starts), and how the specs read their ids. All of them sign in with SEED_PASSWORD.
//
//   Acme    Alex Admin (admin@example.test)                 tenant-admin, the only one
//           Morgan Reyes (member-of-two@example.test)       tenant-user
//           Bea Builder (bea@example.test)                  tenant-user  (the admin test changes her roles)
//           Uma User (user@example.test)                    tenant-user  (is refused the admin page)
//   Globex  Morgan Reyes (member-of-two@example.test)       tenant-admin
//   none    Olly Outsider (outsider@example.test)           no membership
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SEED_PASSWORD = 'correct horse tenant staple';

export const SEED_PEOPLE = {
  acmeAdmin: { name: 'Alex Admin', email: 'admin@example.test' },
  memberOfTwo: { name: 'Morgan Reyes', email: 'member-of-two@example.test' },
  acmeMember: { name: 'Bea Builder', email: 'bea@example.test' },
  acmeUser: { name: 'Uma User', email: 'user@example.test' },
  outsider: { name: 'Olly Outsider', email: 'outsider@example.test' },
} as const;

export const SEED_TENANTS = {
  acme: { name: 'Acme' },
  globex: { name: 'Globex' },
} as const;

export type SeedPersonKey = keyof typeof SEED_PEOPLE;
export type SeedTenantKey = keyof typeof SEED_TENANTS;

export const SEED_MEMBERSHIPS: readonly { person: SeedPersonKey; tenant: SeedTenantKey; roles: string[] }[] = [
  { person: 'acmeAdmin', tenant: 'acme', roles: ['tenant-admin'] },
  { person: 'memberOfTwo', tenant: 'acme', roles: ['tenant-user'] },
  { person: 'acmeMember', tenant: 'acme', roles: ['tenant-user'] },
  { person: 'acmeUser', tenant: 'acme', roles: ['tenant-user'] },
  { person: 'memberOfTwo', tenant: 'globex', roles: ['tenant-admin'] },
];

export interface SeededPerson {
  id: string;
  name: string;
  email: string;
  password: string;
}

export interface SeededTenant {
  id: string;
  slug: string;
  name: string;
}

export interface Seed {
  people: Record<SeedPersonKey, SeededPerson>;
  tenants: Record<SeedTenantKey, SeededTenant>;
}

/** Where the seed's ids are written: the run's temporary folder (E2E_DIR, chosen in playwright.config.ts). */
export function seedFile(dir = process.env.E2E_DIR): string {
  if (!dir) throw new Error('E2E_DIR is not set: run the browser tests with `npx playwright test` (playwright.config.ts sets it)');
  return join(dir, 'seed.json');
}

let cached: Seed | undefined;

/** The seeded people and tenants with their ids, as e2e/seed.ts wrote them for this run. */
export function seeded(): Seed {
  cached ??= JSON.parse(readFileSync(seedFile(), 'utf8')) as Seed;
  return cached;
}
