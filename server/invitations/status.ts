// An invitation's status is computed when read, first match wins: revoked, declined (ended),
// accepted (single use, used), exhausted (multi-use, used up), expired, awaiting_approval, pending.
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import type { z } from 'zod';
import { displayNamesOf } from '../accounts/profiles.js';
import type { Invitation } from '../db/entities/index.js';
import type { InvitationBody, InvitationProfileValue, STATUSES } from './schemas.js';

export type InvitationStatus = (typeof STATUSES)[number];

export function statusOf(inv: Invitation, now = new Date()): InvitationStatus {
  if (inv.revokedAt) return 'revoked';
  if (inv.endedAt) return 'declined';
  if (inv.useCount >= inv.maxUses) return inv.maxUses === 1 ? 'accepted' : 'exhausted';
  if (inv.expiresAt.getTime() <= now.getTime()) return 'expired';
  return inv.approval === 'awaiting' ? 'awaiting_approval' : 'pending';
}

/** Waiting for a second admin (SQL, alias `i`): no token has been issued yet. */
export const AWAITING = "(COALESCE(i.approval, '') = 'awaiting')";

/** The same rule as SQL, so listings filter by status in the database (alias `i`). */
export function whereStatus(q: SelectQueryBuilder<Invitation>, status: InvitationStatus, now = new Date()): void {
  const open = 'i.revoked_at IS NULL AND i.ended_at IS NULL';
  const conditions: Record<InvitationStatus, string> = {
    revoked: 'i.revoked_at IS NOT NULL',
    declined: 'i.revoked_at IS NULL AND i.ended_at IS NOT NULL',
    accepted: `${open} AND i.max_uses = 1 AND i.use_count >= 1`,
    exhausted: `${open} AND i.max_uses > 1 AND i.use_count >= i.max_uses`,
    expired: `${open} AND i.use_count < i.max_uses AND i.expires_at <= :now`,
    awaiting_approval: `${open} AND ${AWAITING} AND i.use_count < i.max_uses AND i.expires_at > :now`,
    pending: `${open} AND NOT ${AWAITING} AND i.use_count < i.max_uses AND i.expires_at > :now`,
  };
  q.andWhere(conditions[status], { now });
}

export type InvitationView = z.output<typeof InvitationBody>;

export const rolesOf = (inv: Invitation) => JSON.parse(inv.roles) as string[];

export const toInvitationView = (inv: Invitation, now = new Date()): InvitationView => ({
  id: inv.id,
  tenant_id: inv.tenantId,
  status: statusOf(inv, now),
  roles: rolesOf(inv),
  email: inv.email,
  phone: inv.phone,
  expires_at: inv.expiresAt.toISOString(),
  max_uses: inv.maxUses,
  use_count: inv.useCount,
  created_at: inv.createdAt.toISOString(),
  created_by: inv.createdBy,
  client_id: inv.clientId,
  redirect_uri: inv.redirectUri,
  metadata: JSON.parse(inv.metadata) as Record<string, unknown>,
  locale: inv.locale,
  delivery: inv.delivery,
  notify_inviter: inv.notifyInviter,
  approved_by: inv.approval === 'approved' ? inv.approvedBy : null,
  approved_at: inv.approval === 'approved' && inv.approvedAt ? inv.approvedAt.toISOString() : null,
  profile: inv.profile ? (JSON.parse(inv.profile) as InvitationProfileValue) : null,
  access_expires_in: inv.accessExpiresIn,
  access_expires_at: inv.accessExpiresAt?.toISOString() ?? null,
  renews: inv.renews,
});

type ClientName = (id: string) => Promise<string | undefined>;

/** Who invited, for pages and mail: a person's name (or e-mail), or the backend client's name. */
export async function inviterNameOf(m: EntityManager, createdBy: string, clientName: ClientName): Promise<string> {
  return (await inviterNamesOf(m, [createdBy], clientName)).get(createdBy)!;
}

/** The same for many invitations at once: one query for the people, one look-up per distinct client. */
export async function inviterNamesOf(
  m: EntityManager,
  createdBys: string[],
  clientName: ClientName,
): Promise<Map<string, string>> {
  const distinct = [...new Set(createdBys)];
  const clients = distinct.filter((c) => c.startsWith('client:'));
  const people = distinct.filter((c) => !c.startsWith('client:'));
  const accounts = await displayNamesOf(m, people);
  const names = new Map<string, string>();
  for (const id of people) names.set(id, accounts.get(id) ?? 'A colleague');
  for (const c of clients) names.set(c, (await clientName(c.slice('client:'.length))) ?? 'An administrator');
  return names;
}
