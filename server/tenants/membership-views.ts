// A membership as the Management API and the admin page show it: roles, where each came from, when each ends.
import { type EntityManager, In } from 'typeorm';
import type { z } from 'zod';
import { Account, type Membership, MembershipRole } from '../db/entities/index.js';
import type { Provenance } from '../db/entities/provenance.js';
import type { MembershipBody, SourceBody } from './schemas.js';
import { hasEnded } from './access.js';

export type MembershipView = z.output<typeof MembershipBody>;
export type SourceView = z.output<typeof SourceBody>;

/** The source of a row, with the reference named for what it is. */
export function sourceView(row: Provenance, grantedAt: Date | null): SourceView {
  const ref = (type: string) => (row.source === type ? row.sourceRef : null);
  return {
    type: row.source,
    invitation_id: ref('invitation'),
    jti: row.sourceJti,
    connection: ref('sso'),
    domain: ref('domain'),
    granted_by: row.grantedBy,
    granted_at: grantedAt?.toISOString() ?? null,
  };
}

async function rolesByMembership(m: EntityManager, ids: string[]): Promise<Map<string, MembershipRole[]>> {
  const rows = ids.length
    ? await m.find(MembershipRole, { where: { membershipId: In(ids) }, order: { role: 'ASC' } })
    : [];
  const map = new Map<string, MembershipRole[]>(ids.map((id) => [id, []]));
  for (const row of rows) map.get(row.membershipId)!.push(row);
  return map;
}

export async function toViews(
  m: EntityManager,
  memberships: Membership[],
  now = new Date(),
): Promise<MembershipView[]> {
  const roles = await rolesByMembership(
    m,
    memberships.map((x) => x.id),
  );
  const ids = memberships.map((x) => x.accountId);
  const accounts = new Map((ids.length ? await m.findBy(Account, { id: In(ids) }) : []).map((a) => [a.id, a]));
  return memberships.map((x) => {
    const account = accounts.get(x.accountId);
    const rows = roles.get(x.id) ?? [];
    const current = rows.filter((r) => !hasEnded(r.expiresAt, now)).map((r) => r.role);
    return {
      id: x.id,
      tenant_id: x.tenantId,
      roles: current,
      created_at: x.createdAt.toISOString(),
      invitation_id: x.invitationId,
      account: { id: x.accountId, name: account?.name ?? null, email: account?.email ?? null },
      source: sourceView(x, x.createdAt),
      access_expires_at: x.expiresAt?.toISOString() ?? null,
      ended: hasEnded(x.expiresAt, now) || (rows.length > 0 && current.length === 0),
      role_grants: rows.map((r) => ({
        role: r.role,
        expires_at: r.expiresAt?.toISOString() ?? null,
        ended: hasEnded(r.expiresAt, now),
        source: sourceView(r, r.grantedAt),
      })),
    };
  });
}
