// Operator operations on tenants, signing keys, the audit trail and the outbox.
import { z } from 'zod';
import { pageMessages, resendMessage, toOutboxSummary } from '../delivery/outbox-admin.js';
import { getMessage } from '../delivery/outbox.js';
import { NotFound } from '../errors.js';
import { listKeys, retireKeys, rotateKeys } from '../keys/keys.js';
import type { Caller } from '../tenants/access.js';
import { MembershipBody, MembershipQuery, TenantBody, TenantParams } from '../tenants/schemas.js';
import { exportAuditEvents, listAuditEvents } from './audit.js';
import { errorResponses, type Operation, operation } from './operation.js';
import type { OperatorDeps } from './operations.js';
import {
  AuditFilterQuery,
  AuditPage,
  AuditQuery,
  KeyBody,
  MessageBody,
  MessageParams,
  MessageWithText,
  OperatorCreateTenant,
  OutboxQuery,
  PageQuery,
  pageOf,
  RetiredBody,
  RetireQuery,
  RotationBody,
} from './schemas.js';

const TenantListQuery = PageQuery.extend({
  search: z.string().trim().min(1).max(200).optional().describe('part of a name or slug'),
}).strict();
const ListedTenant = TenantBody.extend({ member_count: z.number().int().describe('how many accounts belong to it') });
const CreatedTenant = TenantBody.extend({
  first_admin_invitation_id: z.string().optional().describe('when the first admin was invited by e-mail'),
});

export function systemOperations({ db, tenants, memberships, invitations }: OperatorDeps): Operation[] {
  const asOperator = (actor: string): Caller => ({ kind: 'operator', actor });
  return [
    operation(
      'tenants.list',
      {
        method: 'get',
        path: '/api/admin/tenants',
        tag: 'Operator: tenants',
        summary: 'List every tenant (search by name or slug), with its member count',
        query: TenantListQuery,
        responses: {
          200: { description: 'A page of tenants', schema: pageOf(ListedTenant) },
          ...errorResponses(400, 401, 403),
        },
      },
      async ({ query }, { actor }) => {
        const page = await tenants.list(asOperator(actor), query);
        const counts = await memberships.countsOf(page.items.map((t) => t.id));
        return { body: { ...page, items: page.items.map((t) => ({ ...t, member_count: counts.get(t.id) ?? 0 })) } };
      },
    ),
    operation(
      'tenants.get',
      {
        method: 'get',
        path: '/api/admin/tenants/:tenantId',
        tag: 'Operator: tenants',
        summary: 'Read any tenant',
        params: TenantParams,
        responses: { 200: { description: 'The tenant', schema: TenantBody }, ...errorResponses(400, 401, 403, 404) },
      },
      async ({ params }, { actor }) => ({ body: await tenants.get(asOperator(actor), params.tenantId) }),
    ),
    operation(
      'tenants.members',
      {
        method: 'get',
        path: '/api/admin/tenants/:tenantId/memberships',
        tag: 'Operator: tenants',
        summary: "Any tenant's members with their roles (search by name or e-mail, or one account)",
        params: TenantParams,
        query: MembershipQuery,
        responses: {
          200: { description: 'A page of memberships', schema: pageOf(MembershipBody) },
          ...errorResponses(400, 401, 403, 404),
        },
      },
      async ({ params, query }, { actor }) => ({
        body: await memberships.list(asOperator(actor), params.tenantId, { ...query, accountId: query.account_id }),
      }),
    ),
    operation(
      'tenants.create',
      {
        method: 'post',
        path: '/api/admin/tenants',
        tag: 'Operator: tenants',
        summary: 'Create a tenant, with a first admin by account id or by an invitation mailed to them',
        body: OperatorCreateTenant,
        responses: {
          201: { description: 'Created', schema: CreatedTenant },
          ...errorResponses(400, 401, 403, 409, 422),
        },
      },
      async ({ body: { first_admin, ...input } }, { actor }) => {
        const caller = asOperator(actor);
        // One transaction: the tenant exists only with its first admin or the invitation that makes one.
        const created = await db.transaction(async () => {
          const firstAdminId = first_admin && 'account_id' in first_admin ? first_admin.account_id : undefined;
          const tenant = await tenants.create(caller, input, { firstAdminId });
          if (!first_admin || !('email' in first_admin)) return tenant;
          const invitation = await invitations.create(caller, tenant.id, {
            roles: ['tenant-admin'],
            email: first_admin.email,
            locale: first_admin.locale,
            deliver: 'email',
          });
          return { ...tenant, first_admin_invitation_id: invitation.id };
        });
        return { status: 201, body: created };
      },
    ),
    operation(
      'keys.list',
      {
        method: 'get',
        path: '/api/admin/keys',
        tag: 'Operator: signing keys',
        summary: 'List signing keys and their status',
        responses: {
          200: { description: 'The keys', schema: z.object({ items: z.array(KeyBody) }) },
          ...errorResponses(401, 403),
        },
      },
      async () => ({
        body: {
          items: (await listKeys(db)).map((k) => ({
            kid: k.kid,
            alg: k.alg,
            status: k.status,
            created_at: k.createdAt.toISOString(),
            status_changed_at: k.statusChangedAt.toISOString(),
          })),
        },
      }),
    ),
    operation(
      'keys.rotate',
      {
        method: 'post',
        path: '/api/admin/keys/rotate',
        tag: 'Operator: signing keys',
        summary: 'One rotation phase: introduce next keys, or promote them to current (restart instances after each)',
        responses: { 200: { description: 'What this phase did', schema: RotationBody }, ...errorResponses(401, 403) },
      },
      async () => ({ body: await rotateKeys(db) }),
    ),
    operation(
      'keys.retire',
      {
        method: 'post',
        path: '/api/admin/keys/retire',
        tag: 'Operator: signing keys',
        summary: 'Remove previous keys older than the longest token lifetime (or all of them with force=true)',
        query: RetireQuery,
        responses: {
          200: { description: 'The retired key ids', schema: RetiredBody },
          ...errorResponses(400, 401, 403),
        },
      },
      async ({ query }) => ({ body: { retired: await retireKeys(db, { force: query.force === 'true' }) } }),
    ),
    operation(
      'audit.list',
      {
        method: 'get',
        path: '/api/admin/audit-events',
        tag: 'Operator: audit',
        summary: 'Audit events, newest first, filtered by type, actor, tenant and time',
        query: AuditQuery,
        responses: { 200: { description: 'A page of events', schema: AuditPage }, ...errorResponses(400, 401, 403) },
      },
      async ({ query }) => ({ body: await listAuditEvents(db, query) }),
    ),
    operation(
      'audit.export',
      {
        method: 'get',
        path: '/api/admin/audit-events/export',
        tag: 'Operator: audit',
        summary: 'Every matching audit event as JSON lines (application/x-ndjson), newest first',
        query: AuditFilterQuery,
        responses: {
          200: { description: 'One AuditEvent per line', schema: z.string() },
          ...errorResponses(400, 401, 403),
        },
      },
      async ({ query }) => ({
        body: await exportAuditEvents(db, query),
        headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8' },
      }),
    ),
    operation(
      'outbox.list',
      {
        method: 'get',
        path: '/api/admin/outbox',
        tag: 'Operator: outbox',
        summary: 'Queued, sent and failed messages, newest first (without their text)',
        query: OutboxQuery,
        responses: {
          200: { description: 'A page of messages', schema: pageOf(MessageBody) },
          ...errorResponses(400, 401, 403),
        },
      },
      async ({ query }) => ({ body: await pageMessages(db, query) }),
    ),
    operation(
      'outbox.get',
      {
        method: 'get',
        path: '/api/admin/outbox/:messageId',
        tag: 'Operator: outbox',
        summary: 'One message with its text (its links hold single-use codes)',
        params: MessageParams,
        responses: {
          200: { description: 'The message', schema: MessageWithText },
          ...errorResponses(400, 401, 403, 404),
        },
      },
      async ({ params }) => {
        const message = await getMessage(db, params.messageId);
        if (!message) throw new NotFound('There is no message with this id.', 'message_not_found');
        return { body: { ...toOutboxSummary(message), body_text: message.bodyText } };
      },
    ),
    operation(
      'outbox.resend',
      {
        method: 'post',
        path: '/api/admin/outbox/:messageId/resend',
        tag: 'Operator: outbox',
        summary: 'Send a sent or failed message again',
        params: MessageParams,
        responses: {
          200: { description: 'The message, queued', schema: MessageBody },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
      async ({ params }) => ({ body: await resendMessage(db, params.messageId) }),
    ),
  ];
}
