// Memberships of a tenant: listing, changing roles, removing and leaving, with the last-admin rule.
import { type EntityManager, In } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import {
  decodeCursor,
  decodePosition,
  LIKE_ESCAPE,
  likePattern,
  orderFrom,
  type Page,
  toPage,
  toTwoWayPage,
  type TwoWayPage,
} from '../db/cursor.js';
import type { Database } from '../db/database.js';
import { Account, Membership, MembershipRole } from '../db/entities/index.js';
import { Conflict, NotFound, Unprocessable } from '../errors.js';
import { accessTo, actorOf, type Caller, current, requireAdmin, TENANT_ADMIN, type TenantAccess } from './access.js';
import { type MembershipView, toViews } from './membership-views.js';
import { provenanceOf } from './provenance.js';
import { assertRolesExist, lockTenant } from './service.js';

export type { MembershipView } from './membership-views.js';

export interface MembershipQuery {
  search?: string;
  accountId?: string;
  limit: number;
  cursor?: string;
  /** `id` (the default) or `name`: the name, or the e-mail address when there is none, case-insensitive, then id. */
  order?: 'id' | 'name';
}

const NAME_KEY = "LOWER(COALESCE(a.name, a.email, ''))";

/**
 * Throws 409 when the change would leave the tenant with no tenant-admin (callers hold the tenant lock).
 * On MySQL the admins are read with a locking read, which sees the latest committed rows whatever
 * snapshot the transaction may already hold (a plain read under REPEATABLE READ could see a stale one).
 */
/** Whether this membership holds the tenant's only tenant-admin role (read under the tenant's lock). */
export async function isLastAdmin(m: EntityManager, tenantId: string, membershipId: string): Promise<boolean> {
  const query = m
    .createQueryBuilder(MembershipRole, 'r')
    .where('r.tenant_id = :tenantId AND r.role = :role', { tenantId, role: TENANT_ADMIN })
    .andWhere(current('r'), { now: new Date() }); // an ended admin role administers nothing
  if (m.connection.options.type === 'mysql') query.setLock('pessimistic_write'); // FOR SHARE is MySQL 8 only; sql.js is serialised already
  const admins = await query.getMany();
  return admins.length === 1 && admins[0]!.membershipId === membershipId;
}

async function assertAnotherAdminRemains(m: EntityManager, tenantId: string, membershipId: string): Promise<void> {
  if (await isLastAdmin(m, tenantId, membershipId))
    throw new Conflict('This is the last tenant-admin of the tenant; make someone else an admin first.', 'last_admin');
}

/** What an admin changes of a membership; undefined: left as it is. */
export interface MembershipChange {
  roles?: string[];
  accessExpiresAt?: Date | null;
  roleExpirations?: Record<string, Date | null>;
}

const isoOf = (ends: Record<string, Date | null>) =>
  Object.fromEntries(Object.entries(ends).map(([role, end]) => [role, end?.toISOString() ?? null]));

export class MembershipService {
  constructor(private readonly db: Database) {}

  /** How many members each of these tenants has (a tenant with none is 0). */
  async countsOf(tenantIds: string[]): Promise<Map<string, number>> {
    const counts = new Map(tenantIds.map((id) => [id, 0]));
    if (!tenantIds.length) return counts;
    const rows = await this.db.read((m) =>
      m
        .createQueryBuilder(Membership, 'mb')
        .select('mb.tenant_id', 'tenant')
        .addSelect('COUNT(*)', 'members')
        .where('mb.tenant_id IN (:...tenantIds)', { tenantIds })
        .groupBy('mb.tenant_id')
        .getRawMany<{ tenant: string; members: string | number }>(),
    );
    for (const row of rows) counts.set(row.tenant, Number(row.members));
    return counts;
  }

  /** A page of members: by id (the API's stable default), or by name then id with cursors both ways (`order: 'name'`). */
  async list(
    caller: Caller,
    tenantId: string,
    query: MembershipQuery,
  ): Promise<Page<MembershipView> & Partial<TwoWayPage<MembershipView>>> {
    const byName = query.order === 'name';
    const after = byName ? undefined : decodeCursor(query.cursor);
    const at = byName ? decodePosition(query.cursor) : undefined;
    return this.db.read(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      const q = m.createQueryBuilder(Membership, 'mb').where('mb.tenant_id = :tenantId', { tenantId });
      if (query.accountId) q.andWhere('mb.account_id = :accountId', { accountId: query.accountId });
      if (query.search || byName) q.leftJoin(Account, 'a', 'a.id = mb.account_id');
      if (query.search) {
        q.andWhere(`(LOWER(a.name) LIKE :pattern ${LIKE_ESCAPE} OR LOWER(a.email) LIKE :pattern ${LIKE_ESCAPE})`, {
          pattern: likePattern(query.search),
        });
      }
      if (byName) {
        // As the page shows a member: the name, or the address when there is none.
        orderFrom(q, NAME_KEY, 'mb.id', 'ASC', at);
        const { entities, raw } = await q
          .addSelect(NAME_KEY, 'name_key')
          .limit(query.limit + 1)
          .getRawAndEntities<{ mb_id: string; name_key: string }>();
        const keys = new Map(raw.map((r) => [r.mb_id, String(r.name_key)]));
        const page = toTwoWayPage(
          entities,
          query.limit,
          at,
          (x) => ({ key: keys.get(x.id)!, id: x.id }),
          (x) => x,
        );
        return { ...page, items: await toViews(m, page.items) };
      }
      if (after) q.andWhere('mb.id > :after', { after });
      const rows = await q
        .orderBy('mb.id', 'ASC')
        .take(query.limit + 1)
        .getMany();
      const page = toPage(
        rows,
        query.limit,
        (x) => x.id,
        (x) => x,
      );
      return { items: await toViews(m, page.items), next_cursor: page.next_cursor };
    });
  }

  /** Replaces a member's roles; every role must be in the catalogue, and an admin must remain. */
  async setRoles(caller: Caller, tenantId: string, membershipId: string, roles: string[]): Promise<MembershipView> {
    return this.update(caller, tenantId, membershipId, { roles });
  }

  /**
   * Changes a membership: its roles (kept roles keep their source and end; added ones are the admin's), the
   * membership's end, and each role's end (null: none). A moved end is announced again when it passes.
   */
  async update(
    caller: Caller,
    tenantId: string,
    membershipId: string,
    change: MembershipChange,
  ): Promise<MembershipView> {
    return this.db.transaction(async (m) => {
      await lockTenant(m, tenantId); // first: every read below must see the changes of whoever held the lock before
      const access = await accessTo(m, caller, tenantId);
      requireAdmin(access);
      const membership = await this.find(m, tenantId, membershipId);
      const have = (await m.findBy(MembershipRole, { membershipId })).map((r) => r.role);
      const roles = change.roles ?? have;
      await assertRolesExist(m, tenantId, roles);
      const ends = change.roleExpirations ?? {};
      // Dropping the role, or giving it (or the membership) an end, must leave an admin without one.
      const endsAdmin = !!ends[TENANT_ADMIN] || !!change.accessExpiresAt;
      if (!roles.includes(TENANT_ADMIN) || endsAdmin) await assertAnotherAdminRemains(m, tenantId, membershipId);
      const strangers = Object.keys(ends).filter((r) => !roles.includes(r));
      if (strangers.length)
        throw new Unprocessable(`Not roles of this member: ${strangers.join(', ')}.`, 'role_not_held');
      const removed = have.filter((r) => !roles.includes(r));
      const added = roles.filter((r) => !have.includes(r));
      if (removed.length) await m.delete(MembershipRole, { membershipId, role: In(removed) });
      const source = provenanceOf(
        { type: caller.kind === 'operator' ? 'operator' : 'admin', grantedBy: actorOf(caller) },
        null,
      );
      if (added.length)
        await m.insert(
          MembershipRole,
          added.map((role) => ({
            membershipId,
            role,
            tenantId,
            grantedAt: new Date(),
            ...source,
            expiresAt: ends[role] ?? null,
          })),
        );
      for (const [role, expiresAt] of Object.entries(ends))
        if (!added.includes(role))
          await m.update(MembershipRole, { membershipId, role }, { expiresAt, endedRecordedAt: null });
      if (change.accessExpiresAt !== undefined)
        await m.update(Membership, { id: membershipId }, { expiresAt: change.accessExpiresAt, endedRecordedAt: null });
      await recordAudit(m, {
        type: 'membership.updated',
        actor: actorOf(caller),
        tenantId,
        subject: membership.accountId,
        data: {
          roles,
          membership_id: membershipId,
          ...(change.accessExpiresAt !== undefined
            ? { expires_at: change.accessExpiresAt?.toISOString() ?? null }
            : {}),
          ...(Object.keys(ends).length ? { role_expirations: isoOf(ends) } : {}),
        },
      });
      return (await toViews(m, [await this.find(m, tenantId, membershipId)]))[0]!;
    });
  }

  /** The end of a member's whole access: the membership's and every role's (null: none), as the admin page sets it. */
  async setAccessEnd(
    caller: Caller,
    tenantId: string,
    membershipId: string,
    end: Date | null,
  ): Promise<MembershipView> {
    const held = await this.db.read((m) => m.findBy(MembershipRole, { membershipId, tenantId }));
    const roleExpirations = Object.fromEntries(held.map((r) => [r.role, end]));
    return this.update(caller, tenantId, membershipId, { accessExpiresAt: end, roleExpirations });
  }

  /** An admin removes a member, or a member leaves; the last admin can do neither to themselves. */
  async remove(caller: Caller, tenantId: string, membershipId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      await lockTenant(m, tenantId); // first: every read below must see the changes of whoever held the lock before
      const access = await accessTo(m, caller, tenantId);
      if (!isOwn(access, membershipId)) requireAdmin(access);
      const membership = await this.find(m, tenantId, membershipId);
      await assertAnotherAdminRemains(m, tenantId, membershipId);
      await m.delete(Membership, { id: membershipId });
      await m.delete(MembershipRole, { membershipId });
      const type = isOwn(access, membershipId) ? 'membership.left' : 'membership.deleted';
      await recordAudit(m, {
        type,
        actor: actorOf(caller),
        tenantId,
        subject: membership.accountId,
        data: { membership_id: membershipId },
      });
    });
  }

  private async find(m: EntityManager, tenantId: string, membershipId: string): Promise<Membership> {
    const membership = await m.findOneBy(Membership, { id: membershipId, tenantId });
    if (!membership) throw new NotFound('There is no such membership in this tenant.', 'membership_not_found');
    return membership;
  }
}

const isOwn = (access: TenantAccess, membershipId: string) => access.membership?.id === membershipId;
