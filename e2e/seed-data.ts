// The fixed people and tenants every browser-test run starts with (written by e2e/seed.ts before the
// server starts), and how the specs read their ids. All of them sign in with SEED_PASSWORD.
//
//   Acme    Alex Admin (admin@example.test)                 tenant-admin, the only one
//           Morgan Reyes (member-of-two@example.test)       tenant-user
//           Bea Builder (bea@example.test)                  tenant-user  (the admin test changes her roles)
//           Uma User (user@example.test)                    tenant-user  (is refused the admin page)
//   Globex  Morgan Reyes (member-of-two@example.test)       tenant-admin
//   none    Olly Outsider (outsider@example.test)           no membership
//
// For e2e/invitations.spec.ts (tenants and people no other spec uses, so joining changes nothing elsewhere):
//   Initech   Ivy Inviter (ivy@example.test)   tenant-admin; the admin page issues its invitations in the tests
//   Umbrella  Ivy Inviter                      tenant-admin; the seeded invitations below are from Umbrella
//   Hooli     Ivy Inviter                      tenant-admin; one invitation for Pat
//   none      Dana, Jo, Kim, Lee, Max, Rita, Walt, Sam, Pat (see SEED_INVITATIONS)
//
// For e2e/domains.spec.ts (joining by a verified e-mail domain; see SEED_DOMAINS):
//   Wayne Enterprises  Dora Domains (dora@example.test)  tenant-admin; wayne.test, policy suggest
//   Stark Industries   Dora Domains                      tenant-admin; stark.test, policy request
//   none               Sue (sue@wayne.test), Ray (ray@stark.test)
// For e2e/invitation-approval.spec.ts (second-admin approval, set on the admin page in the test):
//   Soylent  Abe Asker (abe@example.test)   tenant-admin; asks for an admin invitation
//            Bo Approver (bo@example.test)  tenant-admin; approves it
//
// For e2e/admin-console.spec.ts (on a server of its own, whose seed makes Casey the operator):
//   none      Casey Console (casey@example.test)   operator
// For e2e/factors.spec.ts:
//   Fortress  Fran Fortress (fran@example.test)   tenant-admin; sets Fortress's sign-in policy in the test
//             Finn Member (finn@example.test)     tenant-user; enrols a second factor when Fortress requires one
//   none      Tess Totp, Kay Passkey              set up an authenticator app / a passkey in the tests
// For e2e/jit.spec.ts:
//   Cyberdyne  Jill Jit (jill@example.test)  tenant-admin; Cyberdyne's own connection `cyberdyne-sso` (to the
//              test upstream), whose membership rules she sets in the test; a role `engineer` in its catalogue
// For e2e/identity-first.spec.ts:
//   Cyberdyne  Jill Jit routes cyberdyne.test (attested, see SEED_DOMAINS) to `cyberdyne-sso`
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SEED_PASSWORD = 'correct horse tenant staple';

export const SEED_PEOPLE = {
  acmeAdmin: { name: 'Alex Admin', email: 'admin@example.test' },
  memberOfTwo: { name: 'Morgan Reyes', email: 'member-of-two@example.test' },
  acmeMember: { name: 'Bea Builder', email: 'bea@example.test' },
  acmeUser: { name: 'Uma User', email: 'user@example.test' },
  outsider: { name: 'Olly Outsider', email: 'outsider@example.test' },
  inviter: { name: 'Ivy Inviter', email: 'ivy@example.test' },
  decliner: { name: 'Dana Decliner', email: 'dana@example.test' },
  appJoiner: { name: 'Jo Joiner', email: 'jo@example.test' },
  sharedFirst: { name: 'Kim First', email: 'kim@example.test' },
  sharedSecond: { name: 'Lee Second', email: 'lee@example.test' },
  sharedThird: { name: 'Max Third', email: 'max@example.test' },
  boundInvitee: { name: 'Rita Right', email: 'rita@example.test' },
  wrongAccount: { name: 'Walt Wrong', email: 'walt@example.test' },
  switchTarget: { name: 'Sam Switch', email: 'sam@example.test' },
  pendingInvitee: { name: 'Pat Pending', email: 'pat@example.test' },
  firstOperator: { name: 'Opal Operator', email: 'opal@example.test' },
  domainAdmin: { name: 'Dora Domains', email: 'dora@example.test' },
  wayneJoiner: { name: 'Sue Storm', email: 'sue@wayne.test' },
  starkAsker: { name: 'Ray Rhodes', email: 'ray@stark.test' },
  // For e2e/factors.spec.ts: second factors and Fortress's sign-in policy.
  totpUser: { name: 'Tess Totp', email: 'tess@example.test' },
  passkeyUser: { name: 'Kay Passkey', email: 'kay@example.test' },
  fortressAdmin: { name: 'Fran Fortress', email: 'fran@example.test' },
  fortressMember: { name: 'Finn Member', email: 'finn@example.test' },
  jitAdmin: { name: 'Jill Jit', email: 'jill@example.test' },
  approvalAsker: { name: 'Abe Asker', email: 'abe@example.test' },
  approvalGiver: { name: 'Bo Approver', email: 'bo@example.test' },
  // For e2e/access-expiry.spec.ts: joins Hooli for 30 days through an invitation.
  contractor: { name: 'Cora Contractor', email: 'cora@example.test' },
  // For e2e/admin-console.spec.ts: the operator of its own server (E2E_SEED_OPERATOR=true, see e2e/console-server.ts).
  consoleOperator: { name: 'Casey Console', email: 'casey@example.test' },
} as const;

export const SEED_TENANTS = {
  acme: { name: 'Acme' },
  globex: { name: 'Globex' },
  initech: { name: 'Initech' },
  umbrella: { name: 'Umbrella' },
  hooli: { name: 'Hooli' },
  wayne: { name: 'Wayne Enterprises' },
  stark: { name: 'Stark Industries' },
  fortress: { name: 'Fortress' },
  cyberdyne: { name: 'Cyberdyne' },
  soylent: { name: 'Soylent' },
} as const;

export type SeedPersonKey = keyof typeof SEED_PEOPLE;
export type SeedTenantKey = keyof typeof SEED_TENANTS;

export const SEED_MEMBERSHIPS: readonly { person: SeedPersonKey; tenant: SeedTenantKey; roles: string[] }[] = [
  { person: 'acmeAdmin', tenant: 'acme', roles: ['tenant-admin'] },
  { person: 'memberOfTwo', tenant: 'acme', roles: ['tenant-user'] },
  { person: 'acmeMember', tenant: 'acme', roles: ['tenant-user'] },
  { person: 'acmeUser', tenant: 'acme', roles: ['tenant-user'] },
  { person: 'memberOfTwo', tenant: 'globex', roles: ['tenant-admin'] },
  { person: 'inviter', tenant: 'initech', roles: ['tenant-admin'] },
  { person: 'inviter', tenant: 'umbrella', roles: ['tenant-admin'] },
  { person: 'inviter', tenant: 'hooli', roles: ['tenant-admin'] },
  { person: 'domainAdmin', tenant: 'wayne', roles: ['tenant-admin'] },
  { person: 'domainAdmin', tenant: 'stark', roles: ['tenant-admin'] },
  { person: 'fortressAdmin', tenant: 'fortress', roles: ['tenant-admin'] },
  { person: 'fortressMember', tenant: 'fortress', roles: ['tenant-user'] },
  { person: 'jitAdmin', tenant: 'cyberdyne', roles: ['tenant-admin'] },
  { person: 'approvalAsker', tenant: 'soylent', roles: ['tenant-admin'] },
  { person: 'approvalGiver', tenant: 'soylent', roles: ['tenant-admin'] },
];

/** A tenant's own connection to the test upstream (e2e/start-server.ts registers its redirect URI). */
export const SEED_TENANT_CONNECTION = {
  tenant: 'cyberdyne',
  slug: 'cyberdyne-sso',
  name: 'Cyberdyne SSO',
  role: 'engineer',
} as const;

/** Domains the operator attested before the server starts (no DNS in browser tests), with their join policies. */
export const SEED_DOMAINS: readonly {
  tenant: SeedTenantKey;
  domain: string;
  joinPolicy: 'off' | 'suggest' | 'request';
}[] = [
  { tenant: 'wayne', domain: 'wayne.test', joinPolicy: 'suggest' },
  { tenant: 'stark', domain: 'stark.test', joinPolicy: 'request' },
  // e2e/identity-first.spec.ts: Cyberdyne's admin routes it to `cyberdyne-sso` and turns passwords off.
  { tenant: 'cyberdyne', domain: 'cyberdyne.test', joinPolicy: 'off' },
];

/**
 * Invitations issued by Ivy Inviter before the server starts (deliver=none: e2e/seed.ts gets each link),
 * each for one test of e2e/invitations.spec.ts. `email` binds one to that person's address.
 */
export const SEED_INVITATIONS = {
  /** A newcomer registers through this copied link (so the address still needs confirming) and joins. */
  copiedToNewcomer: { tenant: 'umbrella', roles: ['tenant-user'] },
  /** Dana opens it, signs in, declines. */
  toDecline: { tenant: 'umbrella', roles: ['tenant-user'] },
  /** Jo accepts it through the demo app's sign-in (`invitation=`). */
  throughApp: { tenant: 'umbrella', roles: ['tenant-user'] },
  /** Two uses: Kim and Lee join, Max finds it used. */
  sharedByTwo: { tenant: 'umbrella', roles: ['tenant-user'], maxUses: 2 },
  /** Revoked right after it is issued. */
  revoked: { tenant: 'umbrella', roles: ['tenant-user'], revoke: true },
  /** Bound to Rita; Walt opens it first. */
  boundToRita: { tenant: 'umbrella', roles: ['tenant-user'], email: 'boundInvitee' },
  /** Bound to Rita too; Walt opens it while signed in. */
  ritaToHooli: { tenant: 'hooli', roles: ['tenant-user'], email: 'boundInvitee' },
  /** Bound to Sam; Walt opens it, then switches to Sam's account. */
  boundToSam: { tenant: 'umbrella', roles: ['tenant-user'], email: 'switchTarget' },
  /** Pat's two pending invitations, reviewed at sign-in. */
  patToUmbrella: { tenant: 'umbrella', roles: ['tenant-user'], email: 'pendingInvitee' },
  patToHooli: { tenant: 'hooli', roles: ['tenant-admin'], email: 'pendingInvitee' },
  /** Accepted by an account from a connection that has no e-mail (e2e/federation.spec.ts). */
  forNoEmail: { tenant: 'umbrella', roles: ['tenant-user'] },
  /** Texted to a number no account has (deliver=sms, bound to it): e2e/phone.spec.ts signs up with it and joins. */
  textedToNewcomer: { tenant: 'umbrella', roles: ['tenant-user'], phone: '+4915112340001' },
  /** Pre-fills a fixed name at sign-up (e2e/invite-only.spec.ts, on an invitation-only server). */
  fixedName: { tenant: 'umbrella', roles: ['tenant-user'], profile: { name: { value: 'Fay Fixed', editable: false } } },
  /** Access for 30 days from acceptance, bound to Cora (e2e/access-expiry.spec.ts). */
  contractorFor30Days: {
    tenant: 'hooli',
    roles: ['tenant-user'],
    email: 'contractor',
    accessExpiresIn: 30 * 24 * 3600,
  },
} as const satisfies Record<
  string,
  {
    tenant: SeedTenantKey;
    roles: readonly string[];
    maxUses?: number;
    revoke?: boolean;
    email?: SeedPersonKey;
    phone?: string;
    profile?: { name?: { value: string; editable: boolean } };
    accessExpiresIn?: number;
  }
>;

export type SeedInvitationKey = keyof typeof SEED_INVITATIONS;

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

export interface SeededInvitation {
  id: string;
  /** The direct link, /tenants/invitation-tokens/{token} (empty for one texted: its link is in the SMS). */
  url: string;
  token: string;
}

export interface Seed {
  people: Record<SeedPersonKey, SeededPerson>;
  tenants: Record<SeedTenantKey, SeededTenant>;
  invitations: Record<SeedInvitationKey, SeededInvitation>;
  /**
   * The first-operator setup link (the server prints none at its start while this one works); empty when
   * the seed made Casey Console the operator instead (E2E_SEED_OPERATOR=true).
   */
  operatorSetupLink: string;
}

/** Where the seed's ids are written: the run's temporary folder (E2E_DIR, chosen in playwright.config.ts). */
export function seedFile(dir = process.env.E2E_DIR): string {
  if (!dir)
    throw new Error(
      'E2E_DIR is not set: run the browser tests with `npx playwright test` (playwright.config.ts sets it)',
    );
  return join(dir, 'seed.json');
}

let cached: Seed | undefined;

/** The seeded people and tenants with their ids, as e2e/seed.ts wrote them for this run. */
export function seeded(): Seed {
  cached ??= JSON.parse(readFileSync(seedFile(), 'utf8')) as Seed;
  return cached;
}
