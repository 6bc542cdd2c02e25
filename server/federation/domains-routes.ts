// Management API routes for a tenant's verified domains and its requests to join: parse, call one service
// function, answer. Tenant admins and tenants:manage clients only (the same rules as the tenant routes).
import { z } from 'zod';
import { type ApiRouter, ErrorBody } from '../http/api-router.js';
import type { Caller } from '../tenants/access.js';
import { pageOf, TenantParams } from '../tenants/schemas.js';
import type { DomainService } from './domains.js';
import type { JoinRequestService } from './domains-requests.js';
import {
  CreateDomain,
  DomainBody,
  DomainParams,
  JoinRequestBody,
  JoinRequestParams,
  JoinRequestQuery,
  UpdateDomain,
} from './domains-schemas.js';

export interface DomainRouteDeps {
  api: ApiRouter<Caller>;
  issuer: string;
  domains: DomainService;
  requests: JoinRequestService;
}

const errors = (statuses: Record<number, string>) =>
  Object.fromEntries(Object.entries(statuses).map(([s, d]) => [s, { description: d, schema: ErrorBody }]));
const common = {
  400: 'Malformed request',
  401: 'No valid bearer token',
  403: 'Not a tenant-admin of this tenant',
  404: 'No such tenant, domain or request',
};

export function domainRoutes({ api, issuer, domains, requests }: DomainRouteDeps): void {
  const tag = 'Domains';
  const base = '/api/tenants/:tenantId/domains';

  api.route(
    {
      method: 'get',
      path: base,
      tag,
      summary: "The tenant's domains, verified or not",
      params: TenantParams,
      responses: {
        200: { description: 'The domains', schema: z.object({ items: z.array(DomainBody) }) },
        ...errors(common),
      },
    },
    async ({ caller, params }) => ({ body: { items: await domains.list(caller, params.tenantId) } }),
  );

  api.route(
    {
      method: 'post',
      path: base,
      tag,
      summary: 'Claim a domain (unverified; the answer names the DNS TXT record that verifies it)',
      params: TenantParams,
      body: CreateDomain,
      responses: {
        201: { description: 'Claimed', schema: DomainBody },
        ...errors({ ...common, 409: 'Claimed already, verified by another tenant, or too many domains' }),
      },
    },
    async ({ caller, params, body }) => {
      const domain = await domains.claim(caller, params.tenantId, {
        domain: body.domain,
        joinPolicy: body.join_policy,
      });
      return {
        status: 201,
        body: domain,
        headers: { Location: `${issuer}${base.replace(':tenantId', params.tenantId)}/${domain.id}` },
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: `${base}/:domainId`,
      tag,
      summary: 'Read one domain',
      params: DomainParams,
      responses: { 200: { description: 'The domain', schema: DomainBody }, ...errors(common) },
    },
    async ({ caller, params }) => ({ body: await domains.get(caller, params.tenantId, params.domainId) }),
  );

  api.route(
    {
      method: 'patch',
      path: `${base}/:domainId`,
      tag,
      summary:
        "Change the domain's join policy (it applies once the domain is verified), or how its people sign in: the tenant's connection that signs them in and whether a password stays allowed",
      params: DomainParams,
      body: UpdateDomain,
      responses: {
        200: { description: 'The domain', schema: DomainBody },
        ...errors({
          ...common,
          409: 'The domain is not verified (only a verified domain routes to a connection)',
          422: 'Not an enabled connection of this tenant, or password turned off without a connection',
        }),
      },
    },
    async ({ caller, params, body }) => ({
      body: await domains.update(caller, params.tenantId, params.domainId, {
        joinPolicy: body.join_policy,
        ssoConnectionId: body.sso_connection_id,
        passwordSignIn: body.password_sign_in,
      }),
    }),
  );

  api.route(
    {
      method: 'delete',
      path: `${base}/:domainId`,
      tag,
      summary: 'Give the domain up: nobody joins by it any more, and another tenant may verify it',
      params: DomainParams,
      responses: { 204: { description: 'Removed' }, ...errors(common) },
    },
    async ({ caller, params }) => {
      await domains.remove(caller, params.tenantId, params.domainId);
      return { status: 204 };
    },
  );

  api.route(
    {
      method: 'post',
      path: `${base}/:domainId/verify`,
      tag,
      summary: 'Verify the domain by its DNS TXT record (harmless once verified)',
      params: DomainParams,
      responses: {
        200: { description: 'The domain, verified', schema: DomainBody },
        ...errors({
          ...common,
          409: 'Verified by another tenant',
          422: 'The TXT record is missing or says something else',
          429: "The tenant's verification attempts for this hour are used up",
          503: 'DNS gave no answer',
        }),
      },
    },
    async ({ caller, params }) => ({ body: await domains.verify(caller, params.tenantId, params.domainId) }),
  );

  const requestsTag = 'Join requests';
  const requestBase = '/api/tenants/:tenantId/join-requests';
  api.route(
    {
      method: 'get',
      path: requestBase,
      tag: requestsTag,
      summary: 'Requests to join by domain, newest first (pending by default)',
      params: TenantParams,
      query: JoinRequestQuery,
      responses: { 200: { description: 'A page of requests', schema: pageOf(JoinRequestBody) }, ...errors(common) },
    },
    async ({ caller, params, query }) => ({ body: await requests.list(caller, params.tenantId, query) }),
  );

  api.route(
    {
      method: 'get',
      path: `${requestBase}/:requestId`,
      tag: requestsTag,
      summary: 'Read one request to join',
      params: JoinRequestParams,
      responses: { 200: { description: 'The request', schema: JoinRequestBody }, ...errors(common) },
    },
    async ({ caller, params }) => ({ body: await requests.get(caller, params.tenantId, params.requestId) }),
  );

  for (const [action, summary] of [
    ['approve', 'Approve a pending request: the person becomes a tenant-user (audited, and told by mail)'],
    ['deny', 'Decline a pending request (audited, and told by mail)'],
  ] as const) {
    api.route(
      {
        method: 'post',
        path: `${requestBase}/:requestId/${action}`,
        tag: requestsTag,
        summary,
        params: JoinRequestParams,
        responses: {
          200: { description: 'The decided request', schema: JoinRequestBody },
          ...errors({ ...common, 409: 'Decided already' }),
        },
      },
      async ({ caller, params }) => ({
        body:
          action === 'approve'
            ? await requests.approve(caller, params.tenantId, params.requestId)
            : await requests.deny(caller, params.tenantId, params.requestId),
      }),
    );
  }
}
