// A person's own tenants, as the account page's "Your organisations" shows them: each tenant, their roles, and
// when their access (or a role) ends, so that nobody learns of an end by losing access.
import { In, IsNull } from 'typeorm';
import type { Database } from '../db/database.js';
import { Membership, MembershipRole, Tenant } from '../db/entities/index.js';
import { hasEnded } from './access.js';

export interface OwnTenant {
  name: string;
  roles: { role: string; endsOn: string | null; ended: boolean }[];
  endsOn: string | null;
  ended: boolean;
}

const day = (d: Date | null) => d?.toISOString().slice(0, 10) ?? null;

/** The account's memberships of live tenants with their ends, by tenant name (ended ones too, marked). */
export async function ownTenants(db: Database, accountId: string, now = new Date()): Promise<OwnTenant[]> {
  return db.read(async (m) => {
    const memberships = await m.findBy(Membership, { accountId });
    if (!memberships.length) return [];
    const tenants = await m.findBy(Tenant, { id: In(memberships.map((x) => x.tenantId)), deletedAt: IsNull() });
    const roles = await m.find(MembershipRole, {
      where: { membershipId: In(memberships.map((x) => x.id)) },
      order: { role: 'ASC' },
    });
    return tenants
      .map((t) => {
        const membership = memberships.find((x) => x.tenantId === t.id)!;
        const own = roles
          .filter((r) => r.membershipId === membership.id)
          .map((r) => ({ role: r.role, endsOn: day(r.expiresAt), ended: hasEnded(r.expiresAt, now) }));
        const ended = hasEnded(membership.expiresAt, now) || (own.length > 0 && own.every((r) => r.ended));
        return { name: t.name, roles: own, endsOn: day(membership.expiresAt), ended };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  });
}
