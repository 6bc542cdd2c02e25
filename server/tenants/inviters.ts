// Who may invite whom into a tenant: admins and backends any role of the catalogue; a member holding a role
// flagged `can_invite` only roles they hold themselves, never tenant-admin, and only their own invitations.
import { type EntityManager, In } from 'typeorm';
import { TenantRole } from '../db/entities/index.js';
import { Forbidden } from '../errors.js';
import { accessTo, type Caller, TENANT_ADMIN, type TenantAccess } from './access.js';
import { type InvitationPolicy, notMultiUse } from './invitation-policy.js';

export interface InviterAccess extends TenantAccess {
  /** The roles this inviter may grant: `any` of the catalogue, or those listed. */
  grantable: 'any' | readonly string[];
  /** Set for a member inviter: the only invitations they see and change are the ones they created. */
  ownOnly?: string;
}

/** The caller's right to invite: 403 unless an admin, a backend, or a member holding a role that may invite. */
export async function inviterAccess(m: EntityManager, caller: Caller, tenantId: string): Promise<InviterAccess> {
  const access = await accessTo(m, caller, tenantId);
  if (access.level !== 'member' || caller.kind !== 'user') return { ...access, grantable: 'any' };
  // Only roles that have not ended: access that ended grants nothing, the right to invite included.
  const held = access.roles ?? [];
  const inviting = held.length ? await m.countBy(TenantRole, { tenantId, name: In(held), canInvite: true }) : 0;
  if (inviting === 0)
    throw new Forbidden('Only a tenant-admin, or a member whose role may invite, may do this.', 'forbidden');
  return { ...access, grantable: held.filter((r) => r !== TENANT_ADMIN), ownOnly: caller.accountId };
}

/** 403 unless the inviter may grant every role, and the policy lets a link with this many uses grant them. */
export function assertMayGrant(
  inviter: InviterAccess,
  roles: string[],
  maxUses: number,
  policy: InvitationPolicy,
): void {
  const { grantable } = inviter;
  const beyond = grantable === 'any' ? [] : roles.filter((r) => !grantable.includes(r));
  if (beyond.length)
    throw new Forbidden(`You may not grant roles you do not hold: ${beyond.join(', ')}.`, 'role_not_assignable');
  const single = maxUses > 1 ? notMultiUse(policy, roles) : [];
  if (single.length)
    throw new Forbidden(
      `This tenant lets only single-use invitations grant ${single.join(', ')}; set max_uses to 1.`,
      'multi_use_not_allowed',
    );
}
