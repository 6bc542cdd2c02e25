// Management API routes for tenants, roles and memberships: parse, call one service function, answer.
import { z } from 'zod';
import { type ApiRouter, ErrorBody } from '../http/api-router.js';
import type { Caller } from './access.js';
import type { MembershipService } from './memberships.js';
import {
  CreateRole,
  CreateTenant,
  ForceQuery,
  MembershipBody,
  MembershipParams,
  MembershipQuery,
  PageQuery,
  pageOf,
  RoleBody,
  RoleParams,
  SetRoles,
  TenantBody,
  TenantParams,
  UpdateRole,
  UpdateTenant,
} from './schemas.js';
import type { TenantService } from './service.js';
import { InvitationPolicy } from './invitation-policy.js';
import { SignInPolicy } from './sign-in-policy.js';

export interface TenantRouteDeps {
  api: ApiRouter<Caller>;
  issuer: string;
  tenants: TenantService;
  memberships: MembershipService;
}

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { description: ERROR_TEXT[s]!, schema: ErrorBody }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'The request is malformed (see error_description).',
  401: 'No valid bearer access token for this API.',
  403: 'The caller may see the tenant but not do this.',
  404: 'No such tenant (or the caller cannot see it).',
  409: 'Conflicts with the current state (slug taken, last admin, role in use).',
  422: 'Names a role that is not in the catalogue.',
};

/** An ISO time as a Date in whole seconds (as MySQL keeps it), kept null (no end) or undefined (unchanged). */
const dateOrNull = (v: string | null | undefined) =>
  v === undefined ? undefined : v === null ? null : new Date(Math.floor(Date.parse(v) / 1000) * 1000);
const mapValues = <A, B>(o: Record<string, A>, f: (v: A) => B) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

export function tenantRoutes({ api, issuer, tenants, memberships }: TenantRouteDeps): void {
  const tag = 'Tenants';

  api.route(
    {
      method: 'get',
      path: '/api/tenants',
      tag,
      summary: 'List tenants: mine, or all for a tenants:manage client',
      query: PageQuery,
      responses: { 200: { description: 'A page of tenants', schema: pageOf(TenantBody) }, ...errors(400, 401, 403) },
    },
    async ({ caller, query }) => ({ body: await tenants.list(caller, query) }),
  );

  api.route(
    {
      method: 'post',
      path: '/api/tenants',
      tag,
      summary: 'Create a tenant',
      body: CreateTenant,
      responses: { 201: { description: 'Created', schema: TenantBody }, ...errors(400, 401, 403, 409) },
    },
    async ({ caller, body }) => {
      const tenant = await tenants.create(caller, body);
      return { status: 201, body: tenant, headers: { Location: `${issuer}/api/tenants/${tenant.id}` } };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/api/tenants/:tenantId',
      tag,
      summary: 'Read a tenant',
      params: TenantParams,
      responses: { 200: { description: 'The tenant', schema: TenantBody }, ...errors(400, 401, 403, 404) },
    },
    async ({ caller, params }) => ({ body: await tenants.get(caller, params.tenantId) }),
  );

  api.route(
    {
      method: 'patch',
      path: '/api/tenants/:tenantId',
      tag,
      summary: 'Change a tenant',
      params: TenantParams,
      body: UpdateTenant,
      responses: { 200: { description: 'The changed tenant', schema: TenantBody }, ...errors(400, 401, 403, 404, 409) },
    },
    async ({ caller, params, body }) => ({ body: await tenants.update(caller, params.tenantId, body) }),
  );

  api.route(
    {
      method: 'delete',
      path: '/api/tenants/:tenantId',
      tag,
      summary: 'Delete a tenant (soft: it leaves every token)',
      params: TenantParams,
      responses: { 204: { description: 'Deleted' }, ...errors(400, 401, 403, 404) },
    },
    async ({ caller, params }) => {
      await tenants.remove(caller, params.tenantId);
      return { status: 204 };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/api/tenants/:tenantId/sign-in-policy',
      tag,
      summary: "The tenant's sign-in policy (second factor required, first factors allowed)",
      params: TenantParams,
      responses: { 200: { description: 'The policy', schema: SignInPolicy }, ...errors(400, 401, 403, 404) },
    },
    async ({ caller, params }) => ({ body: await tenants.signInPolicy(caller, params.tenantId) }),
  );

  api.route(
    {
      method: 'put',
      path: '/api/tenants/:tenantId/sign-in-policy',
      tag,
      summary: "Replace the tenant's sign-in policy (tenant admins)",
      params: TenantParams,
      body: SignInPolicy,
      responses: {
        200: { description: 'The policy now in force', schema: SignInPolicy },
        ...errors(400, 401, 403, 404),
      },
    },
    async ({ caller, params, body }) => ({ body: await tenants.setSignInPolicy(caller, params.tenantId, body) }),
  );

  api.route(
    {
      method: 'get',
      path: '/api/tenants/:tenantId/invitation-policy',
      tag,
      summary: "The tenant's invitation policy (roles a multi-use link may grant, roles that need approval)",
      params: TenantParams,
      responses: { 200: { description: 'The policy', schema: InvitationPolicy }, ...errors(400, 401, 403, 404) },
    },
    async ({ caller, params }) => ({ body: await tenants.invitationPolicy(caller, params.tenantId) }),
  );

  api.route(
    {
      method: 'put',
      path: '/api/tenants/:tenantId/invitation-policy',
      tag,
      summary: "Replace the tenant's invitation policy (tenant admins)",
      params: TenantParams,
      body: InvitationPolicy,
      responses: {
        200: { description: 'The policy now in force', schema: InvitationPolicy },
        ...errors(400, 401, 403, 404, 422),
      },
    },
    async ({ caller, params, body }) => ({ body: await tenants.setInvitationPolicy(caller, params.tenantId, body) }),
  );

  const roles = 'Roles';
  api.route(
    {
      method: 'get',
      path: '/api/tenants/:tenantId/roles',
      tag: roles,
      summary: "The tenant's role catalogue",
      params: TenantParams,
      responses: {
        200: { description: 'The roles', schema: z.object({ items: z.array(RoleBody) }) },
        ...errors(400, 401, 403, 404),
      },
    },
    async ({ caller, params }) => ({ body: { items: await tenants.listRoles(caller, params.tenantId) } }),
  );

  api.route(
    {
      method: 'post',
      path: '/api/tenants/:tenantId/roles',
      tag: roles,
      summary: 'Add a role to the catalogue',
      params: TenantParams,
      body: CreateRole,
      responses: { 201: { description: 'Created', schema: RoleBody }, ...errors(400, 401, 403, 404, 409) },
    },
    async ({ caller, params, body }) => ({
      status: 201,
      body: await tenants.createRole(caller, params.tenantId, body),
    }),
  );

  api.route(
    {
      method: 'patch',
      path: '/api/tenants/:tenantId/roles/:role',
      tag: roles,
      summary: "Change a role's description or whether its holders may invite",
      params: RoleParams,
      body: UpdateRole,
      responses: { 200: { description: 'The role', schema: RoleBody }, ...errors(400, 401, 403, 404, 422) },
    },
    async ({ caller, params, body }) => ({
      body: await tenants.updateRole(caller, params.tenantId, params.role, body),
    }),
  );

  api.route(
    {
      method: 'delete',
      path: '/api/tenants/:tenantId/roles/:role',
      tag: roles,
      summary: 'Remove a role (in use: 409 unless force=true)',
      params: RoleParams,
      query: ForceQuery,
      responses: { 204: { description: 'Removed' }, ...errors(400, 401, 403, 404, 409) },
    },
    async ({ caller, params, query }) => {
      await tenants.deleteRole(caller, params.tenantId, params.role, query.force === 'true');
      return { status: 204 };
    },
  );

  const members = 'Memberships';
  api.route(
    {
      method: 'get',
      path: '/api/tenants/:tenantId/memberships',
      tag: members,
      summary: 'List members (search by name or e-mail, or one account)',
      params: TenantParams,
      query: MembershipQuery,
      responses: {
        200: { description: 'A page of memberships', schema: pageOf(MembershipBody) },
        ...errors(400, 401, 403, 404),
      },
    },
    async ({ caller, params, query }) => ({
      body: await memberships.list(caller, params.tenantId, { ...query, accountId: query.account_id }),
    }),
  );

  api.route(
    {
      method: 'patch',
      path: '/api/tenants/:tenantId/memberships/:membershipId',
      tag: members,
      summary: "Change a member's roles and when their access ends",
      params: MembershipParams,
      body: SetRoles,
      responses: {
        200: { description: 'The membership', schema: MembershipBody },
        ...errors(400, 401, 403, 404, 409, 422),
      },
    },
    async ({ caller, params, body }) => ({
      body: await memberships.update(caller, params.tenantId, params.membershipId, {
        roles: body.roles,
        accessExpiresAt: dateOrNull(body.access_expires_at),
        roleExpirations: body.role_expirations && mapValues(body.role_expirations, (v) => dateOrNull(v) ?? null),
      }),
    }),
  );

  api.route(
    {
      method: 'delete',
      path: '/api/tenants/:tenantId/memberships/:membershipId',
      tag: members,
      summary: 'Remove a member, or leave the tenant (own membership)',
      params: MembershipParams,
      responses: { 204: { description: 'Removed' }, ...errors(400, 401, 403, 404, 409) },
    },
    async ({ caller, params }) => {
      await memberships.remove(caller, params.tenantId, params.membershipId);
      return { status: 204 };
    },
  );
}
