// Management API routes for invitations: parse, check the tenant's quota, call the service, answer.
import { type ApiRouter, errorResponses } from '../http/api-router.js';
import type { Caller } from '../tenants/access.js';
import { pageOf, TenantParams } from '../tenants/schemas.js';
import {
  CreateInvitation,
  InvitationBody,
  InvitationListQuery,
  InvitationParams,
  IssuedInvitationBody,
} from './schemas.js';
import type { InvitationService } from './service.js';

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
      const issued = await invitations.create(caller, params.tenantId, {
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
        accessExpiresIn: body.access_expires_in,
        accessExpiresAt: body.access_expires_at,
        renews: body.renews,
      });
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
}
