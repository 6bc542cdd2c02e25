// Management API routes for invitations: parse, check the tenant's quota, call the service, answer.
import type { z } from 'zod';
import { type AppError, BadRequest, Unprocessable } from '../errors.js';
import { type ApiRouter, errorResponses } from '../http/api-router.js';
import type { Caller } from '../tenants/access.js';
import { pageOf, TenantParams } from '../tenants/schemas.js';
import {
  BulkCreateInvitations,
  BulkResultBody,
  CreateInvitation,
  InvitationBody,
  InvitationListQuery,
  InvitationParams,
  IssuedInvitationBody,
  MAX_BULK,
} from './schemas.js';
import type { InvitationService, NewInvitation } from './service.js';

export interface InvitationRouteDeps {
  api: ApiRouter<Caller>;
  issuer: string;
  invitations: InvitationService;
}

const errors = errorResponses;
const common = {
  400: 'Malformed request',
  401: 'No valid bearer token',
  403: 'Not a tenant-admin of this tenant',
  404: 'No such tenant or invitation',
};

/** A validated creation body in the service's words. */
function toNewInvitation(body: z.output<typeof CreateInvitation>): NewInvitation {
  return {
    roles: body.roles,
    expiresIn: body.expires_in,
    maxUses: body.max_uses,
    email: body.email,
    phone: body.phone,
    clientId: body.client_id,
    redirectUri: body.redirect_uri,
    metadata: body.metadata as Record<string, unknown> | undefined,
    locale: body.locale,
    deliver: body.deliver,
    notifyInviter: body.notify_inviter,
    profile: body.profile,
    accessExpiresIn: body.access_expires_in,
    accessExpiresAt: body.access_expires_at,
    renews: body.renews,
  };
}

/** One item of a bulk call, validated on its own: a bad item becomes that item's failure, not the call's. */
function bulkItem(item: unknown): NewInvitation | AppError {
  const parsed = CreateInvitation.safeParse(item);
  if (parsed.success) return toNewInvitation(parsed.data);
  const issue = parsed.error.issues[0];
  return new BadRequest(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`, 'invalid_request');
}

export function invitationRoutes({ api, issuer, invitations }: InvitationRouteDeps): void {
  const tag = 'Invitations';
  const base = '/api/tenants/:tenantId/invitations/tokens';

  api.route(
    {
      method: 'post',
      path: base,
      tag,
      summary: 'Create an invitation (the link is returned only for deliver=none, only now)',
      params: TenantParams,
      body: CreateInvitation,
      responses: {
        201: { description: 'Created', schema: IssuedInvitationBody },
        ...errors({ ...common, 409: 'Conflict', 422: 'Unknown role or client', 429: 'Tenant quota reached' }),
      },
    },
    async ({ caller, params, body }) => {
      const issued = await invitations.create(caller, params.tenantId, toNewInvitation(body));
      return {
        status: 201,
        body: issued,
        headers: {
          Location: `${issuer}/api/tenants/${params.tenantId}/invitations/tokens/${issued.id}`,
          'Cache-Control': 'no-store',
        },
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: base,
      tag,
      summary: 'List invitations (status computed now; never a token)',
      params: TenantParams,
      query: InvitationListQuery,
      responses: { 200: { description: 'A page of invitations', schema: pageOf(InvitationBody) }, ...errors(common) },
    },
    async ({ caller, params, query }) => ({ body: await invitations.list(caller, params.tenantId, query) }),
  );

  api.route(
    {
      method: 'get',
      path: `${base}/:tokenId`,
      tag,
      summary: 'Read one invitation',
      params: InvitationParams,
      responses: { 200: { description: 'The invitation', schema: InvitationBody }, ...errors(common) },
    },
    async ({ caller, params }) => ({ body: await invitations.get(caller, params.tenantId, params.tokenId) }),
  );

  api.route(
    {
      method: 'delete',
      path: `${base}/:tokenId`,
      tag,
      summary: 'Revoke an invitation: its link stops working at once',
      params: InvitationParams,
      responses: { 204: { description: 'Revoked' }, ...errors(common) },
    },
    async ({ caller, params }) => {
      await invitations.revoke(caller, params.tenantId, params.tokenId);
      return { status: 204 };
    },
  );

  api.route(
    {
      method: 'post',
      path: `${base}/:tokenId/resend`,
      tag,
      summary: 'Issue a new token for a pending invitation and deliver it again (the old link stops working)',
      params: InvitationParams,
      responses: {
        200: { description: 'Resent', schema: IssuedInvitationBody },
        ...errors({ ...common, 409: 'Not pending', 429: 'Tenant quota reached' }),
      },
    },
    async ({ caller, params }) => {
      return {
        body: await invitations.resend(caller, params.tenantId, params.tokenId),
        headers: { 'Cache-Control': 'no-store' },
      };
    },
  );

  api.route(
    {
      method: 'post',
      path: `${base}/bulk`,
      tag,
      summary: `Create up to ${MAX_BULK} invitations, each on its own: a result per item (created, or why not)`,
      params: TenantParams,
      body: BulkCreateInvitations,
      responses: {
        200: { description: 'One result per item, in order', schema: BulkResultBody },
        ...errors({ ...common, 422: `More than ${MAX_BULK} invitations` }),
      },
    },
    async ({ caller, params, body }) => {
      if (body.invitations.length > MAX_BULK)
        throw new Unprocessable(`At most ${MAX_BULK} invitations in one call.`, 'too_many_invitations');
      return {
        body: await invitations.createMany(caller, params.tenantId, body.invitations.map(bulkItem)),
        headers: { 'Cache-Control': 'no-store' },
      };
    },
  );

  api.route(
    {
      method: 'post',
      path: `${base}/:tokenId/approve`,
      tag,
      summary: 'Approve an invitation awaiting a second admin: it is delivered now (deliver=none: the link, once)',
      params: InvitationParams,
      responses: {
        200: { description: 'Approved', schema: IssuedInvitationBody },
        ...errors({ ...common, 403: 'Not another tenant-admin (self_approval: its creator)', 409: 'Not awaiting' }),
      },
    },
    async ({ caller, params }) => ({
      body: await invitations.approve(caller, params.tenantId, params.tokenId),
      headers: { 'Cache-Control': 'no-store' },
    }),
  );

  api.route(
    {
      method: 'post',
      path: `${base}/:tokenId/reject`,
      tag,
      summary: 'Reject an invitation awaiting a second admin: it ends revoked, never delivered',
      params: InvitationParams,
      responses: {
        204: { description: 'Rejected' },
        ...errors({ ...common, 403: 'Not another tenant-admin (self_approval: its creator)', 409: 'Not awaiting' }),
      },
    },
    async ({ caller, params }) => {
      await invitations.reject(caller, params.tenantId, params.tokenId);
      return { status: 204 };
    },
  );
}
