// Connection schemas: what an operator (CLI) or a tenant admin (API, admin page) may set, what is stored,
// and what is shown back (never the secret). They validate input and feed /api/openapi.json.
import { z } from 'zod';
import { RoleName, Slug, Uuid } from '../tenants/schemas.js';

export const CONNECTION_KINDS = ['oidc', 'oauth2', 'saml'] as const;
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

/** A SAML identity provider, as its metadata said (stored in `connections.settings.saml`). */
export const SamlSettings = z.object({
  entityId: z.string().min(1).max(1000),
  ssoUrl: Url,
  /** The IdP's signing certificates (base64 DER, as in its metadata). */
  certificates: z
    .array(z.string().regex(/^[A-Za-z0-9+/=]{100,20000}$/))
    .min(1)
    .max(10),
  /** Where the metadata was imported from (null: given as XML). */
  metadataUrl: Url.nullable(),
  /** Where an IdP-initiated sign-in lands when its RelayState names no page of Tessera's. */
  idpInitiatedUrl: Url.nullable(),
});
export type SamlSettings = z.output<typeof SamlSettings>;

/** What is stored in `connections.settings`: where the upstream is and who Tessera is there. */
export const ConnectionSettings = z.object({
  issuer: Url.optional(),
  authorizationEndpoint: Url.optional(),
  tokenEndpoint: Url.optional(),
  userinfoEndpoint: Url.optional(),
  clientId: z.string().min(1).max(500),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/)).max(30),
  saml: SamlSettings.optional(),
});
export type ConnectionSettings = z.output<typeof ConnectionSettings>;

/** A SAML connection's identity provider: its metadata by URL or as XML (read once, when given). */
export const SamlInput = z
  .object({
    metadata_url: Url.optional().describe("the IdP's SAML metadata URL (read when the connection is saved)"),
    metadata_xml: z.string().min(1).max(500_000).optional().describe("the IdP's SAML metadata document"),
    idp_initiated_url: Url.nullable()
      .optional()
      .describe(
        'where an IdP-initiated sign-in lands (an app that starts its sign-in there); default the account page',
      ),
  })
  .strict()
  .refine((v) => !(v.metadata_url && v.metadata_xml), 'give metadata_url or metadata_xml, not both')
  .meta({ id: 'ConnectionSamlInput' });
export type SamlInput = z.output<typeof SamlInput>;

const Fields = {
  name: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
  issuer: Url.optional().describe('oidc: the issuer; its /.well-known/openid-configuration is read'),
  authorization_endpoint: Url.optional().describe('oauth2: where people are sent to sign in'),
  token_endpoint: Url.optional().describe('oauth2: where the code is exchanged'),
  userinfo_endpoint: Url.optional().describe('oauth2: where the claims are read'),
  client_id: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe('oidc, oauth2: the client id at the provider; saml: the SP entity id (default its metadata URL)'),
  client_secret: z.string().min(1).max(2000).optional().describe('write-only: stored encrypted, never returned'),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/))
    .max(30)
    .optional(),
  claims: ClaimMapping.partial().optional(),
  membership: Membership.nullable()
    .optional()
    .describe("just-in-time membership of the connection's tenant (null: none); not for a global connection"),
  saml: SamlInput.optional().describe('saml: the identity provider'),
};

function endpointsFit(v: {
  kind?: string;
  client_id?: string;
  saml?: SamlInput;
  issuer?: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  userinfo_endpoint?: string;
}) {
  if (v.kind === 'saml') return v.saml?.metadata_url !== undefined || v.saml?.metadata_xml !== undefined;
  if (v.kind === 'oidc') return v.issuer !== undefined && v.client_id !== undefined;
  return (
    v.authorization_endpoint !== undefined &&
    v.token_endpoint !== undefined &&
    v.userinfo_endpoint !== undefined &&
    v.client_id !== undefined
  );
}
const ENDPOINTS_MESSAGE =
  'oidc needs issuer and client_id; oauth2 needs authorization_endpoint, token_endpoint, userinfo_endpoint and client_id; saml needs saml.metadata_url or saml.metadata_xml';

export const CreateConnection = z
  .object({ slug: Slug, kind: z.enum(CONNECTION_KINDS), ...Fields })
  .strict()
  .refine(endpointsFit, ENDPOINTS_MESSAGE);
export type CreateConnection = z.output<typeof CreateConnection>;

const UpdateFields = {
  ...Fields,
  name: Fields.name.optional(),
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
    saml: z
      .object({
        sp_entity_id: z.string().describe("Tessera's entity id at the IdP (the audience it checks)"),
        acs_url: z.string().describe('the Assertion Consumer Service URL (HTTP-POST binding)'),
        sp_metadata_url: z.string().describe("Tessera's SP metadata for this connection: give it to the IdP"),
        idp_entity_id: z.string(),
        idp_sso_url: z.string(),
        idp_certificates: z.number().int().describe('how many signing certificates of the IdP are trusted'),
        idp_metadata_url: z.string().nullable(),
        idp_initiated_url: z.string().nullable(),
      })
      .nullable()
      .describe('saml only'),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Connection' });
export type ConnectionView = z.output<typeof ConnectionBody>;
