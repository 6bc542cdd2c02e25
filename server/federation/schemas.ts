// Connection schemas: what an operator (CLI) or a tenant admin (API, admin page) may set, what is stored,
// and what is shown back (never the secret). They validate input and feed /api/openapi.json.
import { z } from 'zod';
import { RoleName, Slug, Uuid } from '../tenants/schemas.js';

export const CONNECTION_KINDS = ['oidc', 'oauth2'] as const;
const Url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2000);
const ClaimName = z
  .string()
  .regex(/^[A-Za-z0-9_.:/-]{1,100}$/, 'expected a claim name')
  .describe('the upstream claim (dots reach into objects, e.g. address.email)');

/** Which upstream claim holds what Tessera needs; defaults are the OpenID Connect standard claims. */
export const ClaimMapping = z
  .object({
    subject: ClaimName.default('sub'),
    email: ClaimName.default('email'),
    email_verified: ClaimName.default('email_verified'),
    name: ClaimName.default('name'),
    phone: ClaimName.default('phone_number'),
    groups: ClaimName.default('groups'),
  })
  .strict();
export type ClaimMapping = z.output<typeof ClaimMapping>;

const Roles = z.array(RoleName).max(20);

/**
 * Just-in-time membership (a tenant's connection only): every sign-in through it makes the person a member
 * of the tenant, with the roles their upstream groups map to, or `default_roles` when none maps. The roles
 * the mapping names follow the groups at every sign-in; any other role is the admins' to give and stays.
 */
export const Membership = z
  .object({
    default_roles: Roles.default(['tenant-user']).describe('the roles of a person none of whose groups is mapped'),
    group_roles: z
      .record(z.string().min(1).max(200), Roles.min(1))
      .refine((v) => Object.keys(v).length <= 100, 'at most 100 groups')
      .default({})
      .describe("upstream group (the claim mapping's `groups`) → the tenant roles it gives"),
  })
  .strict()
  .meta({ id: 'ConnectionMembership' });
export type Membership = z.output<typeof Membership>;

/** Every role a mapping names: these follow the person's groups at each sign-in. */
export const rolesOf = (membership: Membership) => [
  ...new Set([...membership.default_roles, ...Object.values(membership.group_roles).flat()]),
];

/** The roles a person with these upstream groups gets. */
export function rolesFor(membership: Membership, groups: string[]): string[] {
  const mapped = new Set(
    groups.flatMap((g) => (Object.hasOwn(membership.group_roles, g) ? membership.group_roles[g]! : [])),
  );
  return mapped.size ? [...mapped] : membership.default_roles;
}

/** What is stored in `connections.settings`: where the upstream is and who Tessera is there. */
export const ConnectionSettings = z.object({
  issuer: Url.optional(),
  authorizationEndpoint: Url.optional(),
  tokenEndpoint: Url.optional(),
  userinfoEndpoint: Url.optional(),
  clientId: z.string().min(1).max(500),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/)).max(30),
});
export type ConnectionSettings = z.output<typeof ConnectionSettings>;

const Fields = {
  name: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
  issuer: Url.optional().describe('oidc: the issuer; its /.well-known/openid-configuration is read'),
  authorization_endpoint: Url.optional().describe('oauth2: where people are sent to sign in'),
  token_endpoint: Url.optional().describe('oauth2: where the code is exchanged'),
  userinfo_endpoint: Url.optional().describe('oauth2: where the claims are read'),
  client_id: z.string().min(1).max(500),
  client_secret: z.string().min(1).max(2000).optional().describe('write-only: stored encrypted, never returned'),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/))
    .max(30)
    .optional(),
  claims: ClaimMapping.partial().optional(),
  membership: Membership.nullable()
    .optional()
    .describe("just-in-time membership of the connection's tenant (null: none); not for a global connection"),
};

function endpointsFit(v: {
  kind?: string;
  issuer?: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  userinfo_endpoint?: string;
}) {
  if (v.kind === 'oidc') return v.issuer !== undefined;
  if (v.kind === 'oauth2')
    return (
      v.authorization_endpoint !== undefined && v.token_endpoint !== undefined && v.userinfo_endpoint !== undefined
    );
  return true;
}
const ENDPOINTS_MESSAGE =
  'oidc needs issuer; oauth2 needs authorization_endpoint, token_endpoint and userinfo_endpoint';

export const CreateConnection = z
  .object({ slug: Slug, kind: z.enum(CONNECTION_KINDS), ...Fields })
  .strict()
  .refine(endpointsFit, ENDPOINTS_MESSAGE);
export type CreateConnection = z.output<typeof CreateConnection>;

const UpdateFields = {
  ...Fields,
  name: Fields.name.optional(),
  client_id: Fields.client_id.optional(),
  disabled: z.boolean().optional().describe('a disabled connection is not offered and signs nobody in'),
};
const someField = (v: object) => Object.keys(v).length > 0;
export const UpdateConnection = z.object(UpdateFields).strict().refine(someField, 'give at least one field');
export type UpdateConnection = z.output<typeof UpdateConnection>;

// A global connection (the operator API): the operator alone may vouch for its provider's e-mails.
const TrustedForEmail = z
  .boolean()
  .optional()
  .describe("count the provider's verified e-mails as verified (only for providers you trust)");
export const CreateGlobalConnection = z
  .object({ slug: Slug, kind: z.enum(CONNECTION_KINDS), ...Fields, trusted_for_email: TrustedForEmail })
  .strict()
  .refine(endpointsFit, ENDPOINTS_MESSAGE);
export const UpdateGlobalConnection = z
  .object({ ...UpdateFields, trusted_for_email: TrustedForEmail })
  .strict()
  .refine(someField, 'give at least one field');
export const GlobalConnectionParams = z
  .object({ connection: z.string().min(1).max(63).describe('its slug or id') })
  .strict();

export const ConnectionParams = z.object({ tenantId: Uuid, connectionId: Uuid }).strict();

export const ConnectionBody = z
  .object({
    id: Uuid,
    slug: z.string(),
    tenant_id: Uuid.nullable(),
    kind: z.enum(CONNECTION_KINDS),
    name: z.string(),
    issuer: z.string().nullable(),
    authorization_endpoint: z.string().nullable(),
    token_endpoint: z.string().nullable(),
    userinfo_endpoint: z.string().nullable(),
    client_id: z.string(),
    has_secret: z.boolean(),
    scopes: z.array(z.string()),
    claims: ClaimMapping,
    membership: Membership.nullable(),
    trusted_for_email: z.boolean(),
    disabled: z.boolean(),
    redirect_uri: z.string().describe('register this as the redirect URI at the upstream provider'),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Connection' });
export type ConnectionView = z.output<typeof ConnectionBody>;
