// What another feature may ask of tenants when an account is deleted: the account's tenants it must hand
// over first, and leaving all of them. Only tenants/ writes memberships.
import { type EntityManager, In, IsNull } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import { Membership, MembershipRole, Tenant } from '../db/entities/index.js';
import { Conflict } from '../errors.js';
import { TENANT_ADMIN } from './access.js';
import { lockTenant } from './service.js';

/** The live tenants whose only tenant-admin is this account (they need another admin before it goes). */
export async function tenantsOnlyAdministeredBy(m: EntityManager, accountId: string): Promise<string[]> {
  const memberships = await m.findBy(Membership, { accountId });
  const admin = memberships.length
    ? await m.findBy(MembershipRole, { membershipId: In(memberships.map((x) => x.id)), role: TENANT_ADMIN })
    : [];
  const names: string[] = [];
  for (const role of admin) {
    const admins = await m.countBy(MembershipRole, { tenantId: role.tenantId, role: TENANT_ADMIN });
    const tenant = await m.findOneBy(Tenant, { id: role.tenantId, deletedAt: IsNull() });
    if (admins === 1 && tenant) names.push(tenant.name);
  }
  return names;
}

/**
 * Ends every membership of an account that is being deleted, inside the deletion's transaction; refuses
 * (409) while it is the last tenant-admin of a live tenant.
 */
export async function leaveAllTenants(m: EntityManager, accountId: string): Promise<void> {
  const memberships = await m.findBy(Membership, { accountId });
  // Lock first, in a fixed order, then read what the last-admin rule depends on.
  for (const tenantId of [...new Set(memberships.map((x) => x.tenantId))].sort()) await lockTenant(m, tenantId);
  const sole = await tenantsOnlyAdministeredBy(m, accountId);
  if (sole.length)
    throw new Conflict(
      `You are the last tenant-admin of ${sole.join(', ')}: make someone else an admin there first.`,
      'last_admin',
    );
  for (const membership of memberships) {
    await m.delete(MembershipRole, { membershipId: membership.id });
    await m.delete(Membership, { id: membership.id });
    await recordAudit(m, {
      type: 'membership.left',
      actor: accountId,
      tenantId: membership.tenantId,
      subject: accountId,
    });
  }
}
