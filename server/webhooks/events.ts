// The events webhooks announce, and how each is read from the audit event its change records.
// Payloads carry ids (and role names), never tokens, secrets or codes; invitation.accepted also carries the metadata
// the invitation's creator attached for the app (as the ID token's `invitation` claim does).
import type { AuditRecord } from '../db/audit.js';

export const EVENT_TYPES = [
  'invitation.created',
  'invitation.accepted',
  'invitation.declined',
  'invitation.revoked',
  'invitation.expired',
  'membership.created',
  'membership.updated',
  'membership.deleted',
  'membership.access_ended',
  'tenant.created',
  'tenant.updated',
  'tenant.deleted',
  'account.created',
  'account.deleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Sent only when asked for, to one endpoint, whatever it subscribes to. */
export const PING = 'webhook.ping';

export interface WebhookEventData {
  type: EventType | typeof PING;
  /** The tenant it concerns; null for account events (which only operators' endpoints receive). */
  tenantId: string | null;
  data: Record<string, unknown>;
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
const strings = (value: unknown) =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;

const metadataOf = (value: unknown) =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** Leaves out what is undefined, so payloads hold only what is known. */
const defined = (data: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));

/** The webhook event an audit event stands for, if any. */
export function eventOfAudit(record: AuditRecord): WebhookEventData | undefined {
  const tenantId = record.tenantId ?? null;
  const actor = record.actor ?? undefined;
  const extra = record.data ?? {};
  const subject = record.subject ?? undefined;
  switch (record.type) {
    case 'invitation.accepted':
      // What the app's ID token says of the invitation (`invitation` claim), and who accepted it.
      return {
        type: record.type,
        tenantId,
        data: defined({
          invitation_id: subject,
          tenant_id: tenantId,
          roles: strings(extra.roles),
          actor,
          account_id: actor,
          invitation: { id: subject, tenant_id: tenantId, metadata: metadataOf(extra.metadata) },
        }),
      };
    case 'invitation.created':
    case 'invitation.declined':
    case 'invitation.revoked':
    case 'invitation.expired':
      return {
        type: record.type,
        tenantId,
        data: defined({ invitation_id: subject, tenant_id: tenantId, roles: strings(extra.roles), actor }),
      };
    // A rejected invitation ends revoked (invitations/approval.ts): subscribers hear it as such.
    case 'invitation.rejected':
      return {
        type: 'invitation.revoked',
        tenantId,
        data: defined({ invitation_id: subject, tenant_id: tenantId, actor, reason: 'rejected' }),
      };
    case 'membership.created':
    case 'membership.updated':
    case 'membership.access_ended': // by the sweep (actor `system`): `roles` the ended role, or the whole membership
      return {
        type: record.type,
        tenantId,
        data: defined({
          tenant_id: tenantId,
          account_id: subject,
          membership_id: str(extra.membership_id),
          roles: strings(extra.roles),
          added_roles: strings(extra.added_roles),
          renewed_roles: strings(extra.renewed_roles),
          invitation_id: str(extra.invitation_id),
          source: extra.source,
          expires_at: extra.expires_at,
          whole_membership: extra.whole === true ? true : undefined,
          actor,
        }),
      };
    case 'membership.deleted':
    case 'membership.left':
      return {
        type: 'membership.deleted',
        tenantId,
        data: defined({
          tenant_id: tenantId,
          account_id: subject,
          membership_id: str(extra.membership_id),
          reason: record.type === 'membership.left' ? 'left' : 'removed',
          actor,
        }),
      };
    case 'tenant.created':
    case 'tenant.updated':
    case 'tenant.deleted':
      return {
        type: record.type,
        tenantId,
        data: defined({ tenant_id: tenantId, fields: strings(extra.fields), actor }),
      };
    case 'account.registered':
      // Replacing a never-confirmed registration keeps the account: it was announced when first made.
      if (extra.unconfirmed_before === true) return undefined;
      return { type: 'account.created', tenantId: null, data: defined({ account_id: subject, actor }) };
    case 'account.created':
    case 'account.deleted':
      return { type: record.type, tenantId: null, data: defined({ account_id: subject, actor }) };
    default:
      return undefined;
  }
}
