// Tenants and their role catalogues: the rules and the transactions.
import { randomBytes } from 'node:crypto';
import { type EntityManager, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { z } from 'zod';
import { recordAudit } from '../db/audit.js';
import { writeGuard } from '../db/cluster.js';
import { decodeCursor, LIKE_ESCAPE, likePattern, type Page, toPage } from '../db/cursor.js';
import type { Database } from '../db/database.js';
import { Account, AuditEvent, Membership, MembershipRole, Tenant, TenantRole } from '../db/entities/index.js';
import { Conflict, Forbidden, NotFound, Unprocessable } from '../errors.js';
import { type InvitationPolicy, parseInvitationPolicy } from './invitation-policy.js';
import { type GrantSource, provenanceOf, sourceData } from './provenance.js';
import { parseSignInPolicy, type SignInPolicy } from './sign-in-policy.js';
import { accessTo, actorOf, BUILTIN_ROLES, type Caller, type Level, requireAdmin, TENANT_ADMIN } from './access.js';
import { looksLikeUuid, type RoleBody, type TenantBody } from './schemas.js';

export type TenantView = z.output<typeof TenantBody>;
export type RoleView = z.output<typeof RoleBody>;

export interface RoleInput {
  description?: string;
  can_invite?: boolean;
}

/** tenant-admin invites by being an admin; flagging it would promise a narrower right that does not exist. */
function assertMayInvite(role: TenantRole): void {
  if (role.canInvite && role.name === TENANT_ADMIN)
    throw new Unprocessable('tenant-admin may invite already; can_invite is for narrower roles.', 'invalid_request');
}

export interface NewTenant {
  name: string;
  slug?: string;
  attributes?: Record<string, unknown>;
}

export const toTenantView = (t: Tenant): TenantView => ({
  id: t.id,
  slug: t.slug,
  name: t.name,
  attributes: JSON.parse(t.attributes) as Record<string, unknown>,
  created_at: t.createdAt.toISOString(),
  updated_at: t.updatedAt.toISOString(),
});

const toRoleView = (r: TenantRole): RoleView => ({
  name: r.name,
  description: r.description,
  can_invite: Boolean(r.canInvite),
  builtin: (BUILTIN_ROLES as readonly string[]).includes(r.name),
});

/** A URL-friendly slug from a name: "Acme GmbH & Co." -> "acme-gmbh-co". */
export function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return base.length >= 2 && !looksLikeUuid(base) ? base : `tenant-${base}`.replace(/-+$/, '');
}

/**
 * On MySQL, serialises concurrent changes to one tenant's memberships (the last-admin rule needs it). The row
 * lock alone holds on one server; on a Galera or Group Replication cluster it is node-local, so the guard row
 * written too makes certification let only one of two such transactions commit (the other runs again).
 */
export async function lockTenant(m: EntityManager, tenantId: string): Promise<void> {
  if (m.connection.options.type !== 'mysql') return; // sql.js access is serialised already
  await writeGuard(m, `tenant:${tenantId}`);
  await m.createQueryBuilder(Tenant, 't').setLock('pessimistic_write').where('t.id = :tenantId', { tenantId }).getOne();
}

export class TenantService {
  constructor(
    private readonly db: Database,
    private readonly selfService: boolean,
    /** How many tenants one person may create through self-service, deleted ones included. */
    private readonly selfServiceMax = Number.POSITIVE_INFINITY,
  ) {}

  /** Tenants in id order; `search` keeps those whose name or slug contains it. */
  async list(
    caller: Caller,
    { limit, cursor, search }: { limit: number; cursor?: string; search?: string },
  ): Promise<Page<TenantView>> {
    const after = decodeCursor(cursor);
    return this.db.read(async (m) => {
      const query = m
        .createQueryBuilder(Tenant, 't')
        .where('t.deleted_at IS NULL')
        .orderBy('t.id', 'ASC')
        .take(limit + 1);
      if (after) query.andWhere('t.id > :after', { after });
      if (search)
        query.andWhere(`(LOWER(t.name) LIKE :pattern ${LIKE_ESCAPE} OR LOWER(t.slug) LIKE :pattern ${LIKE_ESCAPE})`, {
          pattern: likePattern(search),
        });
      if (caller.kind !== 'user') {
        if (caller.kind === 'client' && !caller.manage)
          throw new Forbidden('This client may not manage tenants.', 'insufficient_scope');
      } else {
        if (!caller.scopes.has('tenants:admin'))
          throw new Forbidden('The token lacks the tenants:admin scope.', 'insufficient_scope');
        query.innerJoin(Membership, 'mb', 'mb.tenant_id = t.id AND mb.account_id = :accountId', {
          accountId: caller.accountId,
        });
      }
      return toPage(await query.getMany(), limit, (t) => t.id, toTenantView);
    });
  }

  /**
   * A backend with tenants:manage (or an operator) may create a tenant with no admin, or name its first admin
   * by account id; a user (self-service) becomes its admin.
   */
  async create(
    caller: Caller,
    input: NewTenant,
    { firstAdminId }: { firstAdminId?: string } = {},
  ): Promise<TenantView> {
    const may =
      caller.kind === 'operator' ||
      (caller.kind === 'client' ? caller.manage : this.selfService && caller.scopes.has('tenants:admin'));
    if (!may) {
      throw new Forbidden('You may not create tenants.', 'forbidden');
    }
    return this.insertTenant(caller, input, caller.kind === 'user' ? caller.accountId : firstAdminId);
  }

  private async insertTenant(caller: Caller, input: NewTenant, adminId: string | undefined): Promise<TenantView> {
    return this.db.transaction(async (m) => {
      if (caller.kind === 'user') await this.assertMayCreateAnother(m, caller.accountId);
      const slug = await this.freeSlug(m, input.slug, input.name);
      const now = new Date();
      const tenant = Object.assign(new Tenant(), {
        id: crypto.randomUUID(),
        slug,
        name: input.name,
        attributes: JSON.stringify(input.attributes ?? {}),
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      });
      await m.insert(Tenant, tenant);
      await m.insert(
        TenantRole,
        BUILTIN_ROLES.map((name) => ({ tenantId: tenant.id, name, description: null, createdAt: now })),
      );
      if (adminId) {
        if (!(await m.existsBy(Account, { id: adminId })))
          throw new Unprocessable('There is no account with this id to be the first admin.', 'account_not_found');
        // The person who makes a tenant for themselves is its first admin by self-service; otherwise whoever named them.
        const source: GrantSource =
          caller.kind === 'user' && caller.accountId === adminId
            ? { type: 'self_service' }
            : { type: caller.kind === 'operator' ? 'operator' : 'admin', grantedBy: actorOf(caller) };
        await insertMembership(m, tenant.id, adminId, [TENANT_ADMIN], source, actorOf(caller));
      }
      await recordAudit(m, {
        type: 'tenant.created',
        actor: actorOf(caller),
        tenantId: tenant.id,
        subject: tenant.id,
        data: { slug },
      });
      return toTenantView(tenant);
    });
  }

  /**
   * Self-service has a cap per person. The account's row is locked before the count is read, so one
   * person's parallel creates count one after the other and cannot pass the cap together (on a cluster, where
   * the lock is node-local, the guard row written too lets certification commit only one of them).
   */
  private async assertMayCreateAnother(m: EntityManager, accountId: string): Promise<void> {
    if (m.connection.options.type === 'mysql') {
      await writeGuard(m, `tenants-created-by:${accountId}`);
      await m
        .createQueryBuilder(Account, 'a')
        .setLock('pessimistic_write')
        .where('a.id = :accountId', { accountId })
        .getOne();
    }
    const created = await m.countBy(AuditEvent, { actor: accountId, type: 'tenant.created' });
    if (created >= this.selfServiceMax) {
      throw new Conflict(`You have created ${created} tenants, as many as one person may.`, 'tenant_limit_reached');
    }
  }

  /** The caller's access to a live tenant (404 when they cannot see it). */
  async levelOf(caller: Caller, tenantId: string): Promise<Level> {
    return this.db.read(async (m) => (await accessTo(m, caller, tenantId)).level);
  }

  async get(caller: Caller, tenantId: string): Promise<TenantView> {
    return this.db.read(async (m) => toTenantView((await accessTo(m, caller, tenantId)).tenant));
  }

  async update(caller: Caller, tenantId: string, patch: Partial<NewTenant>): Promise<TenantView> {
    return this.db.transaction(async (m) => {
      const access = await accessTo(m, caller, tenantId);
      requireAdmin(access);
      const tenant = access.tenant;
      if (patch.slug !== undefined && patch.slug !== tenant.slug)
        tenant.slug = await this.freeSlug(m, patch.slug, tenant.name);
      if (patch.name !== undefined) tenant.name = patch.name;
      if (patch.attributes !== undefined) tenant.attributes = JSON.stringify(patch.attributes);
      tenant.updatedAt = new Date();
      await m.update(
        Tenant,
        { id: tenant.id },
        { slug: tenant.slug, name: tenant.name, attributes: tenant.attributes, updatedAt: tenant.updatedAt },
      );
      await recordAudit(m, {
        type: 'tenant.updated',
        actor: actorOf(caller),
        tenantId,
        subject: tenantId,
        data: { fields: Object.keys(patch) },
      });
      return toTenantView(tenant);
    });
  }

  async signInPolicy(caller: Caller, tenantId: string): Promise<SignInPolicy> {
    return this.db.read(async (m) => parseSignInPolicy((await accessTo(m, caller, tenantId)).tenant.signInPolicy));
  }

  /** Replaces the tenant's sign-in policy (admins only); it applies from members' next sign-in or switch. */
  async setSignInPolicy(caller: Caller, tenantId: string, policy: SignInPolicy): Promise<SignInPolicy> {
    return this.db.transaction(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      await m.update(Tenant, { id: tenantId }, { signInPolicy: JSON.stringify(policy), updatedAt: new Date() });
      await recordAudit(m, {
        type: 'tenant.sign_in_policy_set',
        actor: actorOf(caller),
        tenantId,
        subject: tenantId,
        data: policy,
      });
      return policy;
    });
  }

  /** Soft delete: the tenant disappears from the API and from tokens; its slug stays taken. */
  async remove(caller: Caller, tenantId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      await m.update(Tenant, { id: tenantId }, { deletedAt: new Date() });
      await recordAudit(m, { type: 'tenant.deleted', actor: actorOf(caller), tenantId, subject: tenantId });
    });
  }

  async listRoles(caller: Caller, tenantId: string): Promise<RoleView[]> {
    return this.db.read(async (m) => {
      await accessTo(m, caller, tenantId);
      return (await m.find(TenantRole, { where: { tenantId }, order: { name: 'ASC' } })).map(toRoleView);
    });
  }

  async createRole(caller: Caller, tenantId: string, input: RoleInput & { name: string }): Promise<RoleView> {
    return this.db.transaction(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      const role = Object.assign(new TenantRole(), {
        tenantId,
        name: input.name,
        description: input.description ?? null,
        canInvite: input.can_invite ?? false,
        createdAt: new Date(),
      });
      assertMayInvite(role);
      await m.insert(TenantRole, role);
      await recordAudit(m, {
        type: 'role.created',
        actor: actorOf(caller),
        tenantId,
        subject: input.name,
        data: { can_invite: role.canInvite },
      });
      return toRoleView(role);
    });
  }

  /** Changes a role's description or whether its holders may invite (admins only). */
  async updateRole(caller: Caller, tenantId: string, name: string, input: RoleInput): Promise<RoleView> {
    return this.db.transaction(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      const role = await m.findOneBy(TenantRole, { tenantId, name });
      if (!role) throw new NotFound(`There is no role "${name}".`, 'role_not_found');
      if (input.description !== undefined) role.description = input.description;
      if (input.can_invite !== undefined) role.canInvite = input.can_invite;
      assertMayInvite(role);
      await m.update(TenantRole, { tenantId, name }, { description: role.description, canInvite: role.canInvite });
      await recordAudit(m, {
        type: 'role.updated',
        actor: actorOf(caller),
        tenantId,
        subject: name,
        data: { ...input },
      });
      return toRoleView(role);
    });
  }

  async invitationPolicy(caller: Caller, tenantId: string): Promise<InvitationPolicy> {
    return this.db.read(async (m) =>
      parseInvitationPolicy((await accessTo(m, caller, tenantId)).tenant.invitationPolicy),
    );
  }

  /** Replaces the tenant's invitation policy (admins only); it applies to invitations created from now on. */
  async setInvitationPolicy(caller: Caller, tenantId: string, policy: InvitationPolicy): Promise<InvitationPolicy> {
    return this.db.transaction(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      const named = [...new Set([...(policy.multi_use_roles ?? []), ...policy.approval_roles])];
      await assertRolesExist(m, tenantId, named);
      await m.update(Tenant, { id: tenantId }, { invitationPolicy: JSON.stringify(policy), updatedAt: new Date() });
      await recordAudit(m, {
        type: 'tenant.invitation_policy_set',
        actor: actorOf(caller),
        tenantId,
        subject: tenantId,
        data: policy,
      });
      return policy;
    });
  }

  /** A role in use is kept unless `force`, which also takes it from every member who has it. */
  async deleteRole(caller: Caller, tenantId: string, name: string, force: boolean): Promise<void> {
    await this.db.transaction(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      if ((BUILTIN_ROLES as readonly string[]).includes(name))
        throw new Conflict(`"${name}" is built in and cannot be removed.`, 'builtin_role');
      if (!(await m.existsBy(TenantRole, { tenantId, name })))
        throw new NotFound(`There is no role "${name}".`, 'role_not_found');
      const uses = await m.countBy(MembershipRole, { tenantId, role: name });
      if (uses > 0 && !force)
        throw new Conflict(
          `${uses} member(s) have the role "${name}"; add ?force=true to remove it from them too.`,
          'role_in_use',
        );
      await m.delete(MembershipRole, { tenantId, role: name });
      await m.delete(TenantRole, { tenantId, name });
      await recordAudit(m, {
        type: 'role.deleted',
        actor: actorOf(caller),
        tenantId,
        subject: name,
        data: { removed_from: uses },
      });
    });
  }

  /**
   * The given slug; with none, one made from the name, suffixed when taken. A taken slug, like a taken
   * role name, is refused by its unique key, which Database turns into 409 (no check-then-insert race).
   */
  private async freeSlug(m: EntityManager, wanted: string | undefined, name: string): Promise<string> {
    if (wanted !== undefined) return wanted;
    const base = slugify(name);
    if (!(await m.existsBy(Tenant, { slug: base }))) return base;
    return `${base}-${randomBytes(3).toString('hex')}`;
  }
}

/** Inserts a membership with roles (the caller holds the transaction and has checked the rules). */
/**
 * Inserts membership rows as given. `m.insert` reads each inserted row back for the columns the database
 * defaults (a SELECT per insert); every column is set here, so that read only cost a round trip.
 */
export async function insertRows<T extends Membership | MembershipRole>(
  m: EntityManager,
  entity: new () => T,
  rows: QueryDeepPartialEntity<T> | QueryDeepPartialEntity<T>[],
): Promise<void> {
  await m.createQueryBuilder().insert().into(entity).values(rows).updateEntity(false).execute();
}

export async function insertMembership(
  m: EntityManager,
  tenantId: string,
  accountId: string,
  roles: string[],
  /** Where it comes from; null: an admin's act (a grant with no more to say). */
  from: GrantSource | null,
  /** Who caused it (audited as membership.created): the creator of a tenant, the account accepting an invitation. */
  actor: string | null = null,
  /** When the access ends; null: it does not. */
  expiresAt: Date | null = null,
): Promise<Membership> {
  const source: GrantSource = from ?? { type: 'admin', grantedBy: actor };
  const now = new Date();
  const invitationId = source.type === 'invitation' ? (source.ref ?? null) : null;
  const provenance = provenanceOf(source, expiresAt);
  const membership = Object.assign(new Membership(), {
    id: crypto.randomUUID(),
    tenantId,
    accountId,
    createdAt: now,
    invitationId,
    ...provenance,
  });
  await insertRows(m, Membership, membership);
  if (roles.length)
    await insertRows(
      m,
      MembershipRole,
      roles.map((role) => ({ membershipId: membership.id, role, tenantId, grantedAt: now, ...provenance })),
    );
  await recordAudit(m, {
    type: 'membership.created',
    actor,
    tenantId,
    subject: accountId,
    data: {
      membership_id: membership.id,
      roles,
      ...(invitationId ? { invitation_id: invitationId } : {}),
      ...(expiresAt ? { expires_at: expiresAt.toISOString() } : {}),
      source: sourceData(source),
    },
  });
  return membership;
}

/** Throws 422 unless every role is in the tenant's catalogue. */
export async function assertRolesExist(m: EntityManager, tenantId: string, roles: string[]): Promise<void> {
  if (roles.length === 0) return;
  const found = await m.findBy(TenantRole, { tenantId, name: In(roles) });
  const missing = roles.filter((r) => !found.some((f) => f.name === r));
  if (missing.length) throw new Unprocessable(`Not roles of this tenant: ${missing.join(', ')}.`, 'unknown_role');
}
