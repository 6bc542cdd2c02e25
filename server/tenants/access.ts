// Who may do what to a tenant: always decided from the database, never from token claims.
import type { EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import { MembershipRole, Membership, Tenant } from '../db/entities/index.js';
import { Forbidden, NotFound } from '../errors.js';

export const TENANT_ADMIN = 'tenant-admin';
export const TENANT_USER = 'tenant-user';
export const BUILTIN_ROLES = [TENANT_ADMIN, TENANT_USER] as const;

/** The authenticated caller of the Management API, as the bearer token says and the database confirms. */
export type Caller =
  | { kind: 'client'; clientId: string; manage: boolean; scopes?: ReadonlySet<string> }
  /** `clientId`: the app the person's token was issued to. */
  | { kind: 'user'; accountId: string; scopes: ReadonlySet<string>; clientId?: string }
  /** An operator of this Tessera (checked by operators/ before it acts): every tenant, like tenants:manage. */
  | { kind: 'operator'; actor: string };

export type Level = 'manage' | 'admin' | 'member';

export interface TenantAccess {
  tenant: Tenant;
  level: Level;
  membership?: Membership;
  /** A member's roles that have not ended (a person's access only). */
  roles?: string[];
}

export const actorOf = (caller: Caller) =>
  caller.kind === 'client' ? `client:${caller.clientId}` : caller.kind === 'operator' ? caller.actor : caller.accountId;

const notFound = () => new NotFound('There is no tenant with this id.', 'tenant_not_found');

/** Resolves the caller's access to a live tenant: 404 when they cannot see it, 403 when they see it without the scope. */
export async function accessTo(m: EntityManager, caller: Caller, tenantId: string): Promise<TenantAccess> {
  const tenant = await m.findOneBy(Tenant, { id: tenantId, deletedAt: IsNull() });
  if (!tenant) throw notFound();
  if (caller.kind !== 'user') {
    if (caller.kind === 'client' && !caller.manage) throw notFound();
    return { tenant, level: 'manage' };
  }
  const membership = await m.findOneBy(Membership, { tenantId, accountId: caller.accountId });
  const now = new Date();
  if (!membership || hasEnded(membership.expiresAt, now)) throw notFound();
  if (!caller.scopes.has('tenants:admin'))
    throw new Forbidden('The token lacks the tenants:admin scope.', 'insufficient_scope');
  const all = await m.findBy(MembershipRole, { membershipId: membership.id });
  const roles = all.filter((r) => !hasEnded(r.expiresAt, now)); // access that ended grants nothing, as in tokens
  if (all.length && !roles.length) throw notFound();
  const held = roles.map((r) => r.role);
  return { tenant, membership, roles: held, level: held.includes(TENANT_ADMIN) ? 'admin' : 'member' };
}

/** Whether an end (of a membership or a role) has passed at `now`; null is no end. */
export const hasEnded = (end: Date | null, now: Date) => end !== null && end <= now;

/** The same rule in SQL: a row (alias `p`) whose end has not passed at `:now`. */
export const current = (p: string) => `(${p}.expires_at IS NULL OR ${p}.expires_at > :now)`;

/** Throws 403 unless the caller administers the tenant (tenant-admin, or a tenants:manage client). */
export function requireAdmin(access: TenantAccess): void {
  if (access.level === 'member') throw new Forbidden('Only a tenant-admin of this tenant may do this.', 'forbidden');
}
