// From an upstream's claims to what Tessera takes of them, through the connection's claim mapping; and
// whether its e-mail counts as verified for Tessera (the upstream says so AND the connection is trusted for it).
import { normaliseEmail } from '../accounts/service.js';
import type { LiveConnection } from './connections.js';
import { claimAt, type UpstreamClaims } from './upstream.js';

/** What an upstream proved of a person, as Tessera keeps it (in a pending link too, as JSON). */
export interface Profile {
  subject: string;
  email?: string;
  /** The upstream said the e-mail is verified. */
  upstreamVerified: boolean;
  /** Tessera counts the e-mail as verified: the upstream said so and the connection is trusted for it. */
  emailVerified: boolean;
  name?: string;
  phone?: string;
  groups: string[];
}

/** The verified domains of a tenant (tenant_domains), for trusting its own connection's e-mails. */
export type VerifiedDomains = (tenantId: string) => Promise<string[]>;

const text = (value: unknown, max: number) =>
  typeof value === 'string' && value.trim() && value.length <= max ? value.trim() : undefined;

/** Maps claims; undefined when the subject is missing (the sign-in then fails, changing nothing). */
export async function profileOf(
  connection: LiveConnection,
  claims: UpstreamClaims,
  verifiedDomains: VerifiedDomains,
): Promise<Profile | undefined> {
  const map = connection.claims;
  const rawSubject = claimAt(claims, map.subject);
  const subject = typeof rawSubject === 'number' ? String(rawSubject) : text(rawSubject, 255);
  if (!subject) return undefined;
  const rawEmail = text(claimAt(claims, map.email), 320);
  const email = rawEmail && /^[^\s@]+@[^\s@]+$/.test(rawEmail) ? normaliseEmail(rawEmail) : undefined;
  const said = claimAt(claims, map.email_verified);
  const upstreamVerified = email !== undefined && (said === true || said === 'true');
  const groups = claimAt(claims, map.groups);
  return {
    subject,
    email,
    upstreamVerified,
    emailVerified: upstreamVerified && (await trustedFor(connection, email!, verifiedDomains)),
    name: text(claimAt(claims, map.name), 200),
    phone: text(claimAt(claims, map.phone), 32),
    // One group may come as a string (a SAML attribute with one value).
    groups: (Array.isArray(groups) ? groups : [groups]).filter((g): g is string => typeof g === 'string').slice(0, 100),
  };
}

async function trustedFor(
  connection: LiveConnection,
  email: string,
  verifiedDomains: VerifiedDomains,
): Promise<boolean> {
  if (connection.tenantId === null) return connection.trustedForEmail;
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return (await verifiedDomains(connection.tenantId)).some((d) => d.toLowerCase() === domain);
}
