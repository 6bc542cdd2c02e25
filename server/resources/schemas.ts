// Request and response schemas of the API resource routes: they validate input and feed /api/openapi.json.
import { z } from 'zod';
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
