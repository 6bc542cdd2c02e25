// Second-admin approval: an invitation granting a role the tenant's policy guards is created `awaiting_approval`
// with no token; another tenant-admin (a person, never its creator) approves it, which issues and delivers the
// token in the same transaction, or rejects it, which revokes it. Each decision is one conditional update whose
// row count is checked, so of two decisions at once exactly one counts.
import { type EntityManager, IsNull, MoreThan } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import { Invitation } from '../db/entities/index.js';
import { Conflict, Forbidden, NotFound } from '../errors.js';
import { accessTo, type Caller } from '../tenants/access.js';
import type { IssuedInvitation } from './service.js';
import { statusOf, toInvitationView } from './status.js';

type Issue = (invitation: Invitation, tenantName: string) => Promise<{ token?: string; url?: string }>;

/** The approver: a tenant-admin of this tenant who did not create the invitation. */
async function approverOf(
  m: EntityManager,
  caller: Caller,
  tenantId: string,
  id: string,
): Promise<{ approver: string; invitation: Invitation; tenantName: string }> {
  const access = await accessTo(m, caller, tenantId);
  // A backend or an operator is no second pair of eyes: approval is a person's decision.
  if (caller.kind !== 'user' || access.level !== 'admin')
    throw new Forbidden('Only another tenant-admin of this tenant may approve or reject.', 'approver_not_admin');
  const invitation = await m.findOneBy(Invitation, { id, tenantId });
  if (!invitation) throw new NotFound('There is no such invitation in this tenant.', 'invitation_not_found');
  if (invitation.createdBy === caller.accountId)
    throw new Forbidden('An invitation needs another admin to approve it, not its creator.', 'self_approval');
  return { approver: caller.accountId, invitation, tenantName: access.tenant.name };
}

const notAwaiting = (invitation: Invitation) =>
  new Conflict(
    `Only an invitation awaiting approval can be approved or rejected; this one is ${statusOf(invitation)}.`,
    'not_awaiting_approval',
  );

/** Claims the decision: only while still awaiting, not revoked, not expired; 409 when another decision won. */
async function decide(m: EntityManager, invitation: Invitation, change: Partial<Invitation>, now: Date) {
  if (statusOf(invitation, now) !== 'awaiting_approval') throw notAwaiting(invitation);
  const claimed = await m.update(
    Invitation,
    { id: invitation.id, approval: 'awaiting', revokedAt: IsNull(), expiresAt: MoreThan(now) },
    change,
  );
  if (claimed.affected !== 1) throw notAwaiting(invitation);
  Object.assign(invitation, change);
}

/**
 * The invitee gets the whole validity the creator asked for, counted from approval; unapproved, the invitation
 * still expires when its first expiry passes. A new `jti`: no token for this row ever existed before.
 */
export async function approveIn(
  m: EntityManager,
  caller: Caller,
  tenantId: string,
  id: string,
  issue: Issue,
): Promise<IssuedInvitation> {
  const { approver, invitation, tenantName } = await approverOf(m, caller, tenantId, id);
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const validity = invitation.expiresAt.getTime() - invitation.createdAt.getTime();
  await decide(
    m,
    invitation,
    {
      approval: 'approved',
      approvedBy: approver,
      approvedAt: now,
      tokenJti: crypto.randomUUID(),
      expiresAt: new Date(now.getTime() + validity),
    },
    now,
  );
  const issued = await issue(invitation, tenantName);
  if (invitation.handleHash) await m.update(Invitation, { id }, { handleHash: invitation.handleHash });
  await recordAudit(m, { type: 'invitation.approved', actor: approver, tenantId, subject: id });
  return { ...toInvitationView(invitation, now), ...issued };
}

export async function rejectIn(m: EntityManager, caller: Caller, tenantId: string, id: string): Promise<void> {
  const { approver, invitation } = await approverOf(m, caller, tenantId, id);
  const now = new Date();
  await decide(m, invitation, { approval: 'rejected', approvedBy: approver, approvedAt: now, revokedAt: now }, now);
  await recordAudit(m, { type: 'invitation.rejected', actor: approver, tenantId, subject: id });
}
