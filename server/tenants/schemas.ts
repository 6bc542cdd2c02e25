// Request and response schemas of the tenant routes: they validate input and feed /api/openapi.json.
import { z } from 'zod';
import { SOURCE_TYPES } from '../db/entities/index.js';
import { boundedJsonObject, FREE_FORM_JSON } from '../http/json-limits.js';

export const Uuid = z.uuid({ error: 'expected a UUID' });
export const RoleName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.:-]{0,63}$/,
    'expected a role name: lower-case letters, digits, "_", ".", ":" or "-", at most 64',
  );
/** Shaped like a tenant id: such a slug could pass for another tenant's id in a tenant_hint. */
export const looksLikeUuid = (value: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
export const Slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'expected a slug: lower-case letters, digits and "-", at most 63')
  .refine((v) => !looksLikeUuid(v), 'a slug must not look like a UUID (tenant ids are UUIDs)');
const Name = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');
const Attributes = boundedJsonObject(FREE_FORM_JSON).describe('free-form JSON for the integrating app');

export const TenantParams = z.object({ tenantId: Uuid }).strict();
export const RoleParams = z.object({ tenantId: Uuid, role: RoleName }).strict();
export const MembershipParams = z.object({ tenantId: Uuid, membershipId: Uuid }).strict();

export const PageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(1200).optional(),
  })
  .strict();
export const MembershipQuery = PageQuery.extend({
  search: z.string().trim().min(1).max(200).optional().describe('part of a name or e-mail address'),
  account_id: Uuid.optional().describe('the subject id (sub) of one account'),
  order: z
    .enum(['id', 'name'])
    .default('id')
    .describe('id, or name: by name (the e-mail address when there is none), case-insensitive, then id'),
}).strict();
export const ForceQuery = z.object({ force: z.enum(['true', 'false']).default('false') }).strict();

export const CreateTenant = z.object({ name: Name, slug: Slug.optional(), attributes: Attributes.optional() }).strict();
export const UpdateTenant = z
  .object({ name: Name.optional(), slug: Slug.optional(), attributes: Attributes.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'give at least one of name, slug, attributes');
const CanInvite = z
  .boolean()
  .describe('members holding this role may invite people with the roles they hold (never tenant-admin)');
export const CreateRole = z
  .object({ name: RoleName, description: z.string().max(300).optional(), can_invite: CanInvite.default(false) })
  .strict();
export const UpdateRole = z
  .object({ description: z.string().max(300).optional(), can_invite: CanInvite.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'give description or can_invite');
const AccessEnd = z.iso
  .datetime({ offset: true })
  .nullable()
  .describe('when the access ends (ISO 8601); null: it does not');
export const SetRoles = z
  .object({
    roles: z
      .array(RoleName)
      .max(50)
      .transform((r) => [...new Set(r)])
      .optional()
      .describe("the member's roles, replacing the ones held (kept roles keep where they came from)"),
    access_expires_at: AccessEnd.optional().describe("the membership's end; null: none"),
    role_expirations: z
      .record(RoleName, AccessEnd)
      .refine((v) => Object.keys(v).length <= 50, 'at most 50 roles')
      .optional()
      .describe('per held (or given) role: when it ends; null: it does not'),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'give at least one of roles, access_expires_at, role_expirations');

/** Where a membership or a role came from (docs/invitations.md, "Where a membership came from"). */
export const SourceBody = z
  .object({
    type: z.enum(SOURCE_TYPES),
    invitation_id: z.string().nullable(),
    jti: z.string().nullable().describe('the accepted invitation token'),
    connection: z.string().nullable().describe('the SSO connection (slug)'),
    domain: z.string().nullable().describe('the verified domain joined through'),
    granted_by: z.string().nullable().describe('an account id, client:<id> or the operator; null: their own act'),
    granted_at: z.string().nullable(),
  })
  .meta({ id: 'MembershipSource' });
export const RoleGrantBody = z
  .object({
    role: z.string(),
    expires_at: z.string().nullable(),
    ended: z.boolean().describe('the end passed: tokens no longer carry the role'),
    source: SourceBody,
  })
  .meta({ id: 'RoleGrant' });

export const TenantBody = z
  .object({
    id: Uuid,
    slug: z.string(),
    name: z.string(),
    attributes: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Tenant' });
export const RoleBody = z
  .object({ name: z.string(), description: z.string().nullable(), can_invite: z.boolean(), builtin: z.boolean() })
  .meta({ id: 'Role' });
export const MembershipBody = z
  .object({
    id: Uuid,
    tenant_id: Uuid,
    account: z.object({ id: Uuid, name: z.string().nullable(), email: z.string().nullable() }),
    roles: z.array(z.string()),
    created_at: z.string(),
    invitation_id: Uuid.nullable(),
    source: SourceBody,
    access_expires_at: z.string().nullable().describe("the membership's end; null: none"),
    ended: z.boolean().describe('the membership, or every role of it, ended: tokens no longer carry the tenant'),
    role_grants: z.array(RoleGrantBody).describe('each held role, ended ones too, with its end and source'),
  })
  .meta({ id: 'Membership' });
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next_cursor: z.string().nullable(),
    previous_cursor: z
      .string()
      .nullable()
      .optional()
      .describe('only with an order other than id: the cursor of the page before (null on the first)'),
  });
