// A tenant's invitation policy: which roles a multi-use link may grant, and which roles need a second
// tenant-admin's approval before the invitation goes out. Stored as JSON on the tenant; enforced by invitations/.
import { z } from 'zod';
import { TENANT_ADMIN } from './access.js';
import { RoleName } from './schemas.js';

export const InvitationPolicy = z
  .object({
    multi_use_roles: z
      .array(RoleName)
      .max(100)
      .nullable()
      .default(null)
      .describe('roles an invitation with max_uses > 1 may grant; null: every role except tenant-admin'),
    approval_roles: z
      .array(RoleName)
      .max(100)
      .default([])
      .describe("roles whose invitations wait for a second tenant-admin's approval"),
  })
  .strict()
  .meta({ id: 'InvitationPolicy' });
export type InvitationPolicy = z.output<typeof InvitationPolicy>;

export const DEFAULT_INVITATION_POLICY: InvitationPolicy = { multi_use_roles: null, approval_roles: [] };

/** The stored JSON read back; a column written by an older or broken version counts as the defaults. */
export function parseInvitationPolicy(stored: string | null): InvitationPolicy {
  if (!stored) return DEFAULT_INVITATION_POLICY;
  try {
    const parsed = InvitationPolicy.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : DEFAULT_INVITATION_POLICY;
  } catch {
    return DEFAULT_INVITATION_POLICY;
  }
}

/** The roles of `roles` that a multi-use link may not grant under the policy. */
export function notMultiUse(policy: InvitationPolicy, roles: string[]): string[] {
  return roles.filter((r) => (policy.multi_use_roles ? !policy.multi_use_roles.includes(r) : r === TENANT_ADMIN));
}

/** Whether an invitation granting `roles` waits for a second admin. */
export const needsApproval = (policy: InvitationPolicy, roles: string[]) =>
  roles.some((r) => policy.approval_roles.includes(r));
