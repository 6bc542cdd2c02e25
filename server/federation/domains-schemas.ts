// Request and response schemas of the domain and join-request routes: they validate input and feed
// /api/openapi.json.
import { z } from 'zod';
import { Uuid } from '../tenants/schemas.js';
import { JOIN_POLICIES } from './domains.js';

const JoinPolicy = z
  .enum(JOIN_POLICIES)
  .describe(
    'off: nobody joins by the domain; suggest: offered after sign-in; auto: joined as tenant-user at sign-in; request: a tenant admin approves',
  );
const JOIN_STATUSES = ['pending', 'approved', 'denied', 'joined', 'skipped'] as const;

export const DomainParams = z.object({ tenantId: Uuid, domainId: Uuid }).strict();
export const JoinRequestParams = z.object({ tenantId: Uuid, requestId: Uuid }).strict();

export const CreateDomain = z
  .object({
    domain: z.string().min(1).max(300).describe('a domain name; international names are stored as punycode'),
    join_policy: JoinPolicy.default('off'),
  })
  .strict();
const SsoConnectionId = Uuid.nullable().describe(
  'an enabled connection of this tenant that signs in people of the domain (verified domains only); null: none',
);
const PasswordSignIn = z
  .boolean()
  .describe('false: a password is never checked for addresses of the domain (needs sso_connection_id)');
export const UpdateDomain = z
  .object({
    join_policy: JoinPolicy.optional(),
    sso_connection_id: SsoConnectionId.optional(),
    password_sign_in: PasswordSignIn.optional(),
  })
  .strict()
  .refine((v) => Object.values(v).some((field) => field !== undefined), 'give at least one field');

export const JoinRequestQuery = z
  .object({
    status: z.enum(JOIN_STATUSES).default('pending'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(600).optional(),
  })
  .strict();

export const DomainBody = z
  .object({
    id: Uuid,
    tenant_id: Uuid,
    domain: z.string().describe('normalised: lower case, punycode, no trailing dot'),
    status: z.enum(['pending', 'verified']),
    verified_at: z.string().nullable(),
    method: z.enum(['dns', 'operator']).nullable(),
    join_policy: z.enum(JOIN_POLICIES),
    sso_connection_id: SsoConnectionId,
    password_sign_in: PasswordSignIn,
    created_at: z.string(),
    verification: z
      .object({ type: z.literal('TXT'), name: z.string(), value: z.string() })
      .nullable()
      .describe('the DNS record that verifies the domain; null once verified'),
  })
  .meta({ id: 'TenantDomain' });

export const JoinRequestBody = z
  .object({
    id: Uuid,
    tenant_id: Uuid,
    account: z.object({
      id: Uuid,
      name: z.string().nullable(),
      email: z.string().describe('the verified address that qualified the person when they asked'),
    }),
    domain: z.string(),
    status: z.enum(JOIN_STATUSES),
    created_at: z.string(),
    decided_at: z.string().nullable(),
    decided_by: z.string().nullable(),
  })
  .meta({ id: 'JoinRequest' });

// ---- the operator API's domain operations (/api/admin/…) ----

export const AttestDomain = z
  .object({
    domain: CreateDomain.shape.domain,
    join_policy: JoinPolicy.optional().describe('default: keep the claim’s, or off for a new claim'),
  })
  .strict();
export const OwnerQuery = z
  .object({ domain: z.string().min(1).max(320).describe('a domain, or an e-mail address (its domain)') })
  .strict();
export const DomainOwnerBody = z
  .object({
    owner: z
      .object({
        domain: z.string(),
        tenant_id: Uuid,
        tenant_name: z.string(),
        join_policy: z.enum(JOIN_POLICIES),
        sso_connection_id: SsoConnectionId,
        password_sign_in: PasswordSignIn,
      })
      .nullable()
      .describe('null when no tenant holds the domain verified'),
  })
  .meta({ id: 'DomainOwner' });
