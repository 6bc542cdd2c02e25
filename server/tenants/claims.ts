// The `active_tenant` / `all_tenants` claims and the active tenant kept per OIDC grant.
// Read from the database at every token issuance, so a removed member's next token drops the tenant.
import { IsNull, LessThan } from 'typeorm';
import type { Database } from '../db/database.js';
import { GrantTenant, PendingTenantChoice, Tenant } from '../db/entities/index.js';
import { findOneFixed, runStatement } from '../db/statement.js';
import { current } from './access.js';
import { looksLikeUuid } from './schemas.js';
import { parseSignInPolicy } from './sign-in-policy.js';

/** The scope an app asks for to get the tenant claims (and the tenant prompts). */
export const TENANTS_SCOPE = 'tenants';

/** The shape of the keycloak-multi-tenancy extension, so apps written for it work unchanged. */
export interface TenantClaim {
  tenant_id: string;
  tenant_name: string;
  roles: string[];
}

export interface TenantMembership extends TenantClaim {
  slug: string;
}

/** An account's memberships, the tenant chosen for one of its grants, and each tenant's sign-in policy (raw). */
export interface TenantRead {
  memberships: TenantMembership[];
  chosen?: string;
  policies: Map<string, string | null>;
}

export interface TenantClaims {
  active_tenant?: TenantClaim;
  all_tenants: TenantClaim[];
}

/** One row of the memberships statement: a membership with one of its roles (or none). */
interface MembershipRow {
  membership_id: string;
  tenant_id: string;
  tenant_name: string;
  slug: string;
  role: string | null;
  role_current: number | string;
  sign_in_policy: string | null;
  /** The tenant chosen for the grant asked about (the same on every row). */
  chosen: string | null;
}

const claimOf = ({ tenant_id, tenant_name, roles }: TenantMembership): TenantClaim => ({
  tenant_id,
  tenant_name,
  roles,
});

export class TenantDirectory {
  constructor(private readonly db: Database) {}

  /**
   * The account's memberships of live tenants, by tenant name, as they stand at `now`: a role past its end is
   * left out, and so is a membership past its own end or whose every role has ended. One statement: it runs
   * at every token issuance.
   */
  async membershipsOf(accountId: string, now = new Date()): Promise<TenantMembership[]> {
    return (await this.membershipsAndChoice(accountId, undefined, now)).memberships;
  }

  /** The memberships, the tenant chosen for the grant and each tenant's sign-in policy, in the same statement. */
  async membershipsAndChoice(accountId: string, grantId: string | undefined, now = new Date()): Promise<TenantRead> {
    const { rows } = await this.db.read((m) =>
      runStatement<MembershipRow>(
        m,
        `SELECT mb.id AS membership_id, t.id AS tenant_id, t.name AS tenant_name, t.slug AS slug,
                t.sign_in_policy AS sign_in_policy, r.role AS role,
                CASE WHEN ${current('r')} THEN 1 ELSE 0 END AS role_current,
                (SELECT g.tenant_id FROM grant_tenants g WHERE g.grant_id = :grantId) AS chosen
           FROM memberships mb
           JOIN tenants t ON t.id = mb.tenant_id AND t.deleted_at IS NULL
           LEFT JOIN membership_roles r ON r.membership_id = mb.id
          WHERE mb.account_id = :accountId AND ${current('mb')}
          ORDER BY r.role`,
        { accountId, grantId: grantId ?? '', now },
      ),
    );
    const byMembership = new Map<string, TenantMembership & { hadRoles: boolean }>();
    for (const row of rows) {
      const entry = byMembership.get(row.membership_id) ?? {
        tenant_id: row.tenant_id,
        tenant_name: row.tenant_name,
        slug: row.slug,
        roles: [],
        hadRoles: false,
      };
      byMembership.set(row.membership_id, entry);
      if (row.role === null) continue;
      entry.hadRoles = true;
      if (Number(row.role_current) === 1) entry.roles.push(row.role);
    }
    // A membership with roles, none of them current, has ended (one with no roles at all has not).
    const memberships = [...byMembership.values()]
      .filter((x) => !x.hadRoles || x.roles.length)
      .map(({ hadRoles: _, ...membership }) => membership)
      .sort((a, b) => a.tenant_name.localeCompare(b.tenant_name));
    const policies = new Map(rows.map((row) => [row.tenant_id, row.sign_in_policy]));
    return { memberships, chosen: rows[0]?.chosen ?? undefined, policies };
  }

  /**
   * The grant's active tenant: the one chosen for it while the account is still a member,
   * else the only membership when there is exactly one, else none.
   */
  activeOf(chosen: string | undefined, memberships: TenantMembership[]): TenantMembership | undefined {
    return memberships.find((x) => x.tenant_id === chosen) ?? (memberships.length === 1 ? memberships[0] : undefined);
  }

  /**
   * The tenant that becomes active in a grant (`chosen` in this request, else the grant's, else the only
   * membership) with its sign-in policy, from what `membershipsAndChoice` read.
   */
  activeWithPolicy(read: TenantRead, chosenInRequest: string | undefined) {
    const active = this.activeOf(chosenInRequest ?? read.chosen, read.memberships);
    return (
      active && { tenantId: active.tenant_id, policy: parseSignInPolicy(read.policies.get(active.tenant_id) ?? null) }
    );
  }

  async chosenFor(grantId: string | undefined): Promise<string | undefined> {
    if (!grantId) return undefined;
    return (await this.db.read((m) => m.findOneBy(GrantTenant, { grantId })))?.tenantId;
  }

  /**
   * The tenant claims of an account in a grant. `switched`: a tenant this very request switches the grant to
   * (refresh with `tenant`), which counts before the grant's stored choice.
   */
  async claimsFor(accountId: string, grantId: string | undefined, switched?: string): Promise<TenantClaims> {
    const { memberships, chosen } = await this.membershipsAndChoice(accountId, switched ? undefined : grantId);
    const active = this.activeOf(switched ?? chosen, memberships);
    return { ...(active ? { active_tenant: claimOf(active) } : {}), all_tenants: memberships.map(claimOf) };
  }

  /** The claim of a live tenant for a holder with these roles (a client tied to a tenant); undefined once deleted. */
  async tenantClaim(tenantId: string, roles: string[]): Promise<TenantClaim | undefined> {
    const tenant = await this.db.read((m) => m.findOneBy(Tenant, { id: tenantId, deletedAt: IsNull() }));
    return tenant ? { tenant_id: tenant.id, tenant_name: tenant.name, roles } : undefined;
  }

  /** The grant's active tenant becomes this one (the caller has checked the membership), for as long as the grant lives. */
  async switchGrant(choice: { grantId: string; accountId: string; tenantId: string }, grantExpiresAt: Date) {
    await this.db.write((m) => m.upsert(GrantTenant, { ...choice, expiresAt: grantExpiresAt }, ['grantId']));
  }

  /**
   * Holds a tenant chosen in an authorization request until its code is redeemed (`applyHeld`); the caller
   * has checked the membership. The hold expires with the code.
   */
  async hold(
    codeId: string,
    choice: { grantId: string; accountId: string; tenantId: string },
    expiresAt: Date,
  ): Promise<void> {
    await this.db.write((m) => m.insert(PendingTenantChoice, { codeId, ...choice, expiresAt }));
  }

  /** The code was redeemed: the choice held for it becomes the grant's active tenant, for as long as the grant lives. */
  async applyHeld(codeId: string, grantExpiresAt: Date): Promise<void> {
    const held = await this.db.read((m) => findOneFixed(m, PendingTenantChoice, { codeId }));
    if (!held) return;
    await this.db.transaction(async (m) => {
      await m.delete(PendingTenantChoice, { codeId });
      await m.upsert(
        GrantTenant,
        { grantId: held.grantId, accountId: held.accountId, tenantId: held.tenantId, expiresAt: grantExpiresAt },
        ['grantId'],
      );
    });
  }

  /**
   * A `tenant_hint` names one of the account's tenants, or nothing: an id first; a hint shaped like an id
   * is only ever an id; otherwise a slug. Never a pick among several matches.
   */
  resolveHint(hint: string, memberships: TenantMembership[]): TenantMembership | undefined {
    const only = (matches: TenantMembership[]) => (matches.length === 1 ? matches[0] : undefined);
    const byId = memberships.filter((x) => x.tenant_id === hint);
    if (byId.length || looksLikeUuid(hint)) return only(byId);
    return only(memberships.filter((x) => x.slug === hint));
  }

  /** A live tenant by id or slug (operators name tenants either way). */
  async findLive(idOrSlug: string): Promise<Tenant | undefined> {
    const where = looksLikeUuid(idOrSlug) ? { id: idOrSlug } : { slug: idOrSlug };
    return (await this.db.read((m) => m.findOneBy(Tenant, { ...where, deletedAt: IsNull() }))) ?? undefined;
  }

  async forgetGrant(grantId: string): Promise<void> {
    await this.db.write((m) => m.delete(GrantTenant, { grantId }));
  }

  /** Choices of expired grants, and held choices whose code expired unredeemed. */
  async deleteExpired(now = new Date()): Promise<number> {
    return this.db.write(async (m) => {
      const grants = await m.delete(GrantTenant, { expiresAt: LessThan(now) });
      const held = await m.delete(PendingTenantChoice, { expiresAt: LessThan(now) });
      return (grants.affected ?? 0) + (held.affected ?? 0);
    });
  }
}
