// What other features may ask of tenants, inside the caller's transaction: a tenant's name, and
// memberships granted from elsewhere (an accepted invitation, a sign-in through a tenant's connection).
// Only tenants/ writes memberships.
import { type EntityManager, In, IsNull } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import { runStatement } from '../db/statement.js';
import { Membership, MembershipRole, Tenant, TenantRole } from '../db/entities/index.js';
import { TENANT_ADMIN } from './access.js';
import { isLastAdmin } from './memberships.js';
import { type GrantSource, provenanceOf, sourceData } from './provenance.js';
import { insertMembership, insertRows, lockTenant } from './service.js';

/** What another feature may know of a tenant. */
export interface TenantRef {
  id: string;
  name: string;
}

const refOf = (tenant: Tenant): TenantRef => ({ id: tenant.id, name: tenant.name });

/** The tenant, unless it was deleted. */
export async function liveTenantOf(m: EntityManager, tenantId: string): Promise<TenantRef | undefined> {
  const tenant = await m.findOneBy(Tenant, { id: tenantId, deletedAt: IsNull() });
  return tenant ? refOf(tenant) : undefined;
}

/**
 * The tenant, unless it was deleted, with those of `roles` its catalogue lacks: one query (the read an
 * invitation's redemption makes, fixed SQL).
 */
export async function liveTenantLacking(
  m: EntityManager,
  tenantId: string,
  roles: string[],
): Promise<{ tenant: TenantRef; lacking: string[] } | undefined> {
  const named = roles.length ? 'r.name IN (:...roles)' : '1 = 0';
  const { rows } = await runStatement<{ id: string; name: string; role: string | null }>(
    m,
    `SELECT t.id, t.name, r.name AS role FROM tenants t LEFT JOIN tenant_roles r ON r.tenant_id = t.id AND ${named} WHERE t.id = :tenantId AND t.deleted_at IS NULL`,
    { roles, tenantId },
  );
  if (!rows[0]) return undefined;
  const found = rows.map((r) => r.role);
  return { tenant: { id: rows[0].id, name: rows[0].name }, lacking: roles.filter((r) => !found.includes(r)) };
}

/** These tenants, deleted ones too (a tenant is deleted softly, so its row and name remain): one query. */
export async function tenantsOf(m: EntityManager, tenantIds: string[]): Promise<TenantRef[]> {
  if (!tenantIds.length) return [];
  return (await m.findBy(Tenant, { id: In([...new Set(tenantIds)]) })).map(refOf);
}

export type { GrantSource } from './provenance.js';

export interface GrantRequest {
  tenantId: string;
  accountId: string;
  roles: string[];
  source: GrantSource;
  /** When the access granted ends; null or absent: it does not. */
  expiresAt?: Date | null;
  /** A renewal: roles held with an end get the later of their end and this one (never an earlier one). */
  renews?: boolean;
}

/** What granting a request changes: joined (a new membership), extended (roles added or renewed), or nothing. */
export type GrantOutcome = 'joined' | 'extended' | 'already_member';

/** A grant as read, before anything is written: its outcome and the roles it adds or renews. */
export interface PlannedGrant {
  outcome: GrantOutcome;
  /** The requested roles the account has no row for (all of them when it joins). */
  missing: string[];
  /** Held roles whose end moves: those that ended, and, for a renewal, those whose end comes before the new one. */
  renewed: string[];
  request: GrantRequest;
  /** The existing membership a grant extends. */
  membershipId?: string;
}

/**
 * Only ever later, checked in the UPDATE itself: of two renewals accepted at once, the later end stays
 * whichever commits last (an end of null, none, is the latest).
 */
const laterEnd = '(expires_at IS NOT NULL AND (:end IS NULL OR expires_at < :end))';

const endsBefore = (end: Date | null, other: Date | null | undefined) => end !== null && (!other || end < other);

/** What granting would change, read without writing: the caller may decide in between (count a use, refuse). */
export async function planGrant(m: EntityManager, request: GrantRequest, now = new Date()): Promise<PlannedGrant> {
  const { tenantId, accountId, roles } = request;
  const membership = await m.findOneBy(Membership, { tenantId, accountId });
  if (!membership) return { outcome: 'joined', missing: roles, renewed: [], request };
  const have = await m.findBy(MembershipRole, { membershipId: membership.id });
  const missing = roles.filter((r) => !have.some((h) => h.role === r));
  const ended = endsBefore(membership.expiresAt, now);
  const renewed = have
    .filter((h) => roles.includes(h.role))
    .filter(
      (h) => ended || endsBefore(h.expiresAt, now) || (request.renews && endsBefore(h.expiresAt, request.expiresAt)),
    )
    .map((h) => h.role);
  const outcome = missing.length || renewed.length ? 'extended' : 'already_member';
  return { outcome, missing, renewed, request, membershipId: membership.id };
}

/**
 * Writes a planned grant, in the same transaction that planned it: a new membership, or the missing roles and
 * the renewed ends. Two grants to one account at once meet the membership's unique keys; the caller's rollback decides.
 */
export async function grantMembership(m: EntityManager, plan: PlannedGrant): Promise<void> {
  const { tenantId, accountId, roles, source, expiresAt = null } = plan.request;
  if (plan.outcome === 'joined') await insertMembership(m, tenantId, accountId, roles, source, accountId, expiresAt);
  else if (plan.outcome === 'extended') {
    const membershipId = plan.membershipId!;
    const now = new Date();
    if (plan.missing.length)
      await insertRows(
        m,
        MembershipRole,
        plan.missing.map((role) => ({
          membershipId,
          role,
          tenantId,
          grantedAt: now,
          ...provenanceOf(source, expiresAt),
        })),
      );
    if (plan.renewed.length)
      await m
        .createQueryBuilder()
        .update(MembershipRole)
        .set({ expiresAt, endedRecordedAt: null })
        .where('membership_id = :membershipId AND role IN (:...roles)', { membershipId, roles: plan.renewed })
        .andWhere(laterEnd, { end: expiresAt })
        .execute();
    await reopenMembership(m, membershipId, expiresAt);
    await recordAudit(m, {
      type: 'membership.updated',
      actor: accountId,
      tenantId,
      subject: accountId,
      data: {
        membership_id: membershipId,
        added_roles: plan.missing,
        ...(plan.renewed.length ? { renewed_roles: plan.renewed } : {}),
        ...(expiresAt ? { expires_at: expiresAt.toISOString() } : {}),
        source: sourceData(source),
        ...(source.type === 'invitation' && source.ref ? { invitation_id: source.ref } : {}),
      },
    });
  }
}

/** A grant to a membership that has an end moves that end to the grant's (null: none) when it is later. */
async function reopenMembership(m: EntityManager, membershipId: string, expiresAt: Date | null): Promise<void> {
  await m
    .createQueryBuilder()
    .update(Membership)
    .set({ expiresAt, endedRecordedAt: null })
    .where('id = :membershipId', { membershipId })
    .andWhere(laterEnd, { end: expiresAt })
    .execute();
}

/** What a sign-in through a tenant's connection grants there (just-in-time membership). */
export interface SsoGrant {
  tenantId: string;
  accountId: string;
  /** The roles the person's upstream groups map to (the connection's default roles when none does). */
  roles: string[];
  /** Every role the connection's mapping names: these follow the groups; any other role is the admins'. */
  managed: string[];
  /** The connection, for the audit trail. */
  idp: string;
}

/**
 * Makes the account a member with the roles its groups map to, at every sign-in: the mapped roles it lacks
 * are added, the managed roles it no longer earns are taken away, other roles stay. A role deleted from the
 * catalogue since the mapping was saved is skipped, and the last tenant-admin keeps that role.
 */
export async function applySsoGrant(m: EntityManager, grant: SsoGrant): Promise<void> {
  const { tenantId, accountId, idp } = grant;
  await lockTenant(m, tenantId);
  if (!(await liveTenantOf(m, tenantId))) return;
  const catalogue = (await m.findBy(TenantRole, { tenantId })).map((r) => r.name);
  const roles = grant.roles.filter((r) => catalogue.includes(r));
  const membership = await m.findOneBy(Membership, { tenantId, accountId });
  const source: GrantSource = { type: 'sso', ref: idp };
  if (!membership) {
    await insertMembership(m, tenantId, accountId, roles, source, accountId);
    return;
  }
  const have = (await m.findBy(MembershipRole, { membershipId: membership.id })).map((r) => r.role);
  const added = roles.filter((r) => !have.includes(r));
  let removed = have.filter((r) => grant.managed.includes(r) && !roles.includes(r));
  if (removed.includes(TENANT_ADMIN) && (await isLastAdmin(m, tenantId, membership.id)))
    removed = removed.filter((r) => r !== TENANT_ADMIN);
  if (!added.length && !removed.length) return;
  if (added.length)
    await m.insert(
      MembershipRole,
      added.map((role) => ({
        membershipId: membership.id,
        role,
        tenantId,
        grantedAt: new Date(),
        ...provenanceOf(source, null),
      })),
    );
  if (removed.length) await m.delete(MembershipRole, { membershipId: membership.id, role: In(removed) });
  await recordAudit(m, {
    type: 'membership.updated',
    actor: accountId,
    tenantId,
    subject: accountId,
    data: { membership_id: membership.id, added_roles: added, removed_roles: removed, idp, source: sourceData(source) },
  });
}
