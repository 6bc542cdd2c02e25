// Request and response schemas of the API resource routes: they validate input and feed /api/openapi.json.
import { z } from 'zod';
import { SIGNING_ALGS } from '../keys/keys.js';
import { RoleName, Uuid } from '../tenants/schemas.js';

/** A permission as it appears in `scope`: no spaces, no quotes or backslashes (RFC 6749 scope-token). */
export const PermissionName = z
  .string()
  .regex(
    /^[a-zA-Z0-9][a-zA-Z0-9_.:/-]{0,99}$/,
    'expected a permission: letters, digits, "_", ".", ":", "/" or "-", at most 100 (e.g. invoices:read)',
  );

/** An audience URI: absolute, no fragment (RFC 8707), at most 255 characters. */
export const Audience = z
  .string()
  .max(255, 'at most 255 characters')
  .refine((value) => {
    const url = URL.parse(value);
    return !!url && !url.hash && /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) && !value.includes('#');
  }, 'expected an absolute URI without a fragment');

export const RolePermissionParams = z.object({ tenantId: Uuid, resourceId: Uuid, role: RoleName }).strict();

export const SetPermissions = z
  .object({
    permissions: z
      .array(PermissionName)
      .max(200)
      .transform((p) => [...new Set(p)].sort()),
  })
  .strict();

export const RolePermissionsBody = z
  .object({
    role: z.string(),
    permissions: z.array(z.string()),
    builtin: z.boolean().describe('tenant-admin holds every permission of every resource; it cannot be changed'),
  })
  .meta({ id: 'RolePermissions' });

export const ResourceMappingBody = z
  .object({
    resource: z.object({ id: Uuid, audience: z.string(), name: z.string(), permissions: z.array(z.string()) }),
    roles: z.array(RolePermissionsBody),
  })
  .meta({ id: 'ResourcePermissions' });

// ---- the operator API's resources (/api/admin/resources) ----

const SIGNING_ALG = z.enum(SIGNING_ALGS);
/** Types and sizes only: the service's own checks give the messages that name the rule (as for the CLI). */
const ResourceFields = {
  name: z.string().max(200, 'at most 200 characters'),
  permissions: z.array(z.string().max(100)).max(200, 'at most 200'),
  access_token_ttl: z.number().int().describe('seconds, 60 to 86400 (default 900)'),
  signing_alg: SIGNING_ALG,
  public: z.boolean().describe("list its permissions in discovery's scopes_supported"),
};

export const ResourceParams = z.object({ resourceId: Uuid }).strict();
export const ResourceQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(1200).optional(),
    audience: z.string().min(1).max(255).optional().describe('only the resource with this audience'),
  })
  .strict();
export const CreateResource = z
  .object({
    audience: z.string().max(255).describe("the resource indicator and the tokens' aud"),
    ...ResourceFields,
    permissions: ResourceFields.permissions.default([]),
    access_token_ttl: ResourceFields.access_token_ttl.optional(),
    signing_alg: ResourceFields.signing_alg.optional(),
    public: ResourceFields.public.optional(),
  })
  .strict();
export const UpdateResource = z
  .object({
    name: ResourceFields.name.optional(),
    permissions: ResourceFields.permissions
      .optional()
      .describe("the full new list; permissions left out leave every tenant's mapping"),
    access_token_ttl: ResourceFields.access_token_ttl.optional(),
    signing_alg: ResourceFields.signing_alg.optional(),
    public: ResourceFields.public.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'give at least one field to change');
export const ResourceBody = z
  .object({
    id: Uuid,
    audience: z.string(),
    name: z.string(),
    permissions: z.array(z.string()),
    access_token_ttl: z.number().int(),
    signing_alg: SIGNING_ALG,
    public: z.boolean(),
  })
  .meta({ id: 'ApiResource' });
