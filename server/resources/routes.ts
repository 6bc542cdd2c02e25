// Management API routes for a tenant's role -> permission mapping of the apps' APIs: parse, call the service, answer.
import { z } from 'zod';
import { type ApiRouter, ErrorBody } from '../http/api-router.js';
import type { Caller } from '../tenants/access.js';
import { TenantParams } from '../tenants/schemas.js';
import { ResourceMappingBody, RolePermissionParams, RolePermissionsBody, SetPermissions } from './schemas.js';
import type { ResourceService } from './service.js';

const ERROR_TEXT: Record<number, string> = {
  400: 'The request is malformed (see error_description).',
  401: 'No valid bearer access token for this API.',
  403: 'The caller may see the tenant but not do this (only tenant-admins change the mapping).',
  404: 'No such tenant or resource (or the caller cannot see the tenant).',
  409: 'tenant-admin holds every permission; its mapping cannot be changed.',
  422: 'Names a role that is not in the catalogue, or a permission the resource does not have.',
};
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { description: ERROR_TEXT[s]!, schema: ErrorBody }]));

export function resourceRoutes({ api, resources }: { api: ApiRouter<Caller>; resources: ResourceService }): void {
  const tag = 'Permissions';

  api.route(
    {
      method: 'get',
      path: '/api/tenants/:tenantId/permissions',
      tag,
      summary: "Every API resource, with the permissions each of the tenant's roles holds of it",
      params: TenantParams,
      responses: {
        200: { description: 'The mapping', schema: z.object({ items: z.array(ResourceMappingBody) }) },
        ...errors(400, 401, 403, 404),
      },
    },
    async ({ caller, params }) => ({ body: { items: await resources.mappingOf(caller, params.tenantId) } }),
  );

  api.route(
    {
      method: 'put',
      path: '/api/tenants/:tenantId/permissions/:resourceId/roles/:role',
      tag,
      summary: 'Replace the permissions a role holds of one resource (tokens show it at their next issuance)',
      params: RolePermissionParams,
      body: SetPermissions,
      responses: {
        200: { description: "The role's permissions of the resource", schema: RolePermissionsBody },
        ...errors(400, 401, 403, 404, 409, 422),
      },
    },
    async ({ caller, params, body }) => ({
      body: await resources.setRolePermissions(
        caller,
        params.tenantId,
        params.resourceId,
        params.role,
        body.permissions,
      ),
    }),
  );
}
