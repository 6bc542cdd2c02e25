// Management API routes for a tenant's own connections (its enterprise SSO): tenant-admins (tenants:admin)
// and tenants:manage clients, as for the rest of the tenant. The client secret is write-only.
import { z } from 'zod';
import { type ApiRouter, errorResponses } from '../http/api-router.js';
import type { Caller } from '../tenants/access.js';
import { TenantParams } from '../tenants/schemas.js';
import type { ConnectionService } from './connections.js';
import { ConnectionBody, ConnectionParams, CreateConnection, UpdateConnection } from './schemas.js';

export interface ConnectionRouteDeps {
  api: ApiRouter<Caller>;
  issuer: string;
  connections: ConnectionService;
}

const errors = errorResponses;
const common = {
  400: 'Malformed request',
  401: 'No valid bearer token',
  403: 'Not a tenant-admin of this tenant',
  404: 'No such tenant or connection',
};

export function connectionRoutes({ api, issuer, connections }: ConnectionRouteDeps): void {
  const tag = 'Connections';
  const base = '/api/tenants/:tenantId/connections';
  const owner = (caller: Caller, tenantId: string) => ({ kind: 'tenant' as const, caller, tenantId });

  api.route(
    {
      method: 'get',
      path: base,
      tag,
      summary: "The tenant's connections to its own identity providers",
      params: TenantParams,
      responses: {
        200: { description: 'The connections', schema: z.object({ items: z.array(ConnectionBody) }) },
        ...errors(common),
      },
    },
    async ({ caller, params }) => ({ body: { items: await connections.list(owner(caller, params.tenantId)) } }),
  );

  api.route(
    {
      method: 'post',
      path: base,
      tag,
      summary: 'Add a connection (OpenID Connect, OAuth 2.0 with a userinfo URL, or SAML 2.0 from IdP metadata)',
      params: TenantParams,
      body: CreateConnection,
      responses: {
        201: {
          description: 'Created; register its redirect_uri at the provider (SAML: give it saml.sp_metadata_url)',
          schema: ConnectionBody,
        },
        ...errors({ ...common, 409: 'The slug is taken' }),
      },
    },
    async ({ caller, params, body }) => {
      const created = await connections.create(owner(caller, params.tenantId), body);
      return {
        status: 201,
        body: created,
        headers: { Location: `${issuer}${base.replace(':tenantId', params.tenantId)}/${created.id}` },
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: `${base}/:connectionId`,
      tag,
      summary: 'Read a connection (never its secret)',
      params: ConnectionParams,
      responses: { 200: { description: 'The connection', schema: ConnectionBody }, ...errors(common) },
    },
    async ({ caller, params }) => ({
      body: await connections.get(owner(caller, params.tenantId), params.connectionId),
    }),
  );

  api.route(
    {
      method: 'patch',
      path: `${base}/:connectionId`,
      tag,
      summary: 'Change a connection, replace its secret, or disable / enable it',
      params: ConnectionParams,
      body: UpdateConnection,
      responses: { 200: { description: 'The changed connection', schema: ConnectionBody }, ...errors(common) },
    },
    async ({ caller, params, body }) => ({
      body: await connections.update(owner(caller, params.tenantId), params.connectionId, body),
    }),
  );

  api.route(
    {
      method: 'delete',
      path: `${base}/:connectionId`,
      tag,
      summary: 'Delete a connection nobody signs in through (else 409: disable it instead)',
      params: ConnectionParams,
      responses: { 204: { description: 'Deleted' }, ...errors({ ...common, 409: 'People sign in through it' }) },
    },
    async ({ caller, params }) => {
      await connections.remove(owner(caller, params.tenantId), params.connectionId);
      return { status: 204 };
    },
  );
}
