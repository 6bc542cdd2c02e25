// Request and response schemas of the operator API: they validate input and feed /api/openapi.json.
import { z } from 'zod';
import { CreateTenant, PageQuery, pageOf, RoleName, Uuid } from '../tenants/schemas.js';

export { PageQuery, pageOf, Uuid };

const Url = z.string().max(2000);
const Uris = z.array(Url).max(50);
const Name = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');
const Time = z.string().describe('ISO 8601');
export const GrantType = z.enum(['authorization_code', 'refresh_token', 'client_credentials']);

export const ClientQuery = PageQuery.extend({
  search: z.string().trim().min(1).max(200).optional().describe('part of a client id or name'),
}).strict();
export const ClientParams = z.object({ clientId: z.string().min(1).max(100) }).strict();
export const ClientBody = z
  .object({
    client_id: z.string(),
    name: z.string(),
    redirect_uris: z.array(z.string()),
    post_logout_redirect_uris: z.array(z.string()),
    grant_types: z.array(z.string()),
    public: z.boolean(),
    first_party: z.boolean(),
    tenants_manage: z.boolean(),
    operator: z.boolean(),
    require_mfa: z.boolean(),
    initiate_login_uri: z.string().nullable(),
    created_at: Time,
  })
  .meta({ id: 'Client' });
export const CreatedClient = ClientBody.extend({
  client_secret: z.string().optional().describe('confidential clients only, only in this response'),
}).meta({ id: 'CreatedClient' });
export const CreateClient = z
  .object({
    name: Name,
    client_id: z.string().optional(),
    redirect_uris: Uris.default([]),
    post_logout_redirect_uris: Uris.optional(),
    grant_types: z.array(GrantType).max(3).optional(),
    public: z.boolean().optional(),
    first_party: z.boolean().optional(),
    initiate_login_uri: Url.optional(),
    tenants_manage: z.boolean().optional(),
    operator: z.boolean().optional().describe('may call the operator API with client credentials (scope operator)'),
    require_mfa: z.boolean().optional().describe('every sign-in to this app needs a second factor'),
  })
  .strict();
export const UpdateClient = z
  .object({
    name: Name.optional(),
    redirect_uris: Uris.optional(),
    post_logout_redirect_uris: Uris.optional(),
    first_party: z.boolean().optional(),
    initiate_login_uri: Url.nullable().optional(),
    tenants_manage: z.boolean().optional(),
    operator: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'give at least one setting to change');
export const ClientSecret = z.object({ client_id: z.string(), client_secret: z.string() }).meta({ id: 'ClientSecret' });

export const AccountParams = z.object({ accountId: Uuid }).strict();
export const AccountQuery = PageQuery.extend({
  search: z.string().trim().min(1).max(200).optional().describe('part of a name or e-mail address'),
}).strict();
export const AccountBody = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    email_verified: z.boolean(),
    phone: z.string().nullable(),
    name: z.string().nullable(),
    created_at: Time,
    disabled_at: Time.nullable(),
  })
  .meta({ id: 'Account' });
export const CreateAccount = z
  .object({
    email: z.email().max(320),
    name: Name,
    password: z.string().min(8, 'at least 8 characters').max(1000),
  })
  .strict();

export const OperatorBody = z
  .object({
    account_id: z.string(),
    name: z.string().nullable(),
    granted_by: z.string().nullable(),
    created_at: Time,
  })
  .meta({ id: 'Operator' });
export const GrantOperator = z
  .object({ account_id: Uuid.optional(), email: z.email().max(320).optional() })
  .strict()
  .refine((v) => (v.account_id === undefined) !== (v.email === undefined), 'give account_id or email');
export const SetupLinkBody = z.object({ url: z.string(), expires_at: Time }).meta({ id: 'SetupLink' });

export const OperatorCreateTenant = CreateTenant.extend({
  first_admin: z
    .union([
      z.object({ account_id: Uuid }).strict(),
      z.object({ email: z.email().max(320), locale: z.string().max(35).optional() }).strict(),
    ])
    .optional()
    .describe('an existing account by id, or an invitation mailed to this address'),
}).strict();

export const KeyBody = z
  .object({ kid: z.string(), alg: z.string(), status: z.string(), created_at: Time, status_changed_at: Time })
  .meta({ id: 'SigningKey' });
export const RotationBody = z.object({ step: z.enum(['introduced', 'promoted']), kids: z.array(z.string()) });
export const RetireQuery = z.object({ force: z.enum(['true', 'false']).default('false') }).strict();
export const RetiredBody = z.object({ retired: z.array(z.string()) });

const DateQuery = z.coerce.date({ error: 'expected an ISO 8601 time' });
export const AuditFilterQuery = z
  .object({
    type: z.string().max(80).optional(),
    actor: z.string().max(120).optional(),
    tenant_id: Uuid.optional(),
    subject: z.string().max(200).optional().describe('what the event is about: a client id, an account id…'),
    since: DateQuery.optional(),
    until: DateQuery.optional(),
  })
  .strict();
export const AuditQuery = AuditFilterQuery.extend(PageQuery.shape).strict();
export const AuditEventBody = z
  .object({
    id: z.string(),
    type: z.string(),
    actor: z.string().nullable(),
    tenant_id: z.string().nullable(),
    subject: z.string().nullable(),
    data: z.record(z.string(), z.unknown()).nullable(),
    at: Time,
  })
  .meta({ id: 'AuditEvent' });
export const AuditPage = pageOf(AuditEventBody).extend({ previous_cursor: z.string().nullable() });

export const MessageParams = z.object({ messageId: Uuid }).strict();
export const OutboxQuery = PageQuery.extend({
  to: z.string().max(320).optional(),
  status: z.enum(['queued', 'sent', 'failed']).optional(),
}).strict();
export const MessageBody = z
  .object({
    id: z.string(),
    channel: z.string(),
    recipient: z.string(),
    subject: z.string(),
    status: z.string(),
    attempts: z.number(),
    last_error: z.string().nullable(),
    created_at: Time,
    sent_at: Time.nullable(),
  })
  .meta({ id: 'OutboxMessage' });
export const MessageWithText = MessageBody.extend({
  body_text: z.string().describe('holds single-use links: keep it private'),
}).meta({ id: 'OutboxMessageWithText' });

// clients.configure: the settings a registered client may change later.
const SettingUrl = z.string().min(1).max(2000);
export const ClientSettingsBody = z
  .object({
    default_resource: SettingUrl.nullable()
      .optional()
      .describe('the API resource its tokens are for when it names none'),
    tenant: z
      .string()
      .min(1)
      .max(100)
      .nullable()
      .optional()
      .describe('with client credentials, act as a member of this tenant (id or slug); null: in no tenant'),
    tenant_roles: z.array(RoleName).min(1).max(20).optional().describe('its roles there (default tenant-user)'),
    auth_method: z.string().max(50).optional(),
    jwks: z
      .object({ keys: z.array(z.record(z.string(), z.unknown())).max(20) })
      .nullable()
      .optional()
      .describe('its public keys for private_key_jwt'),
    jwks_uri: SettingUrl.nullable().optional(),
    id_token_alg: z.string().max(10).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'give at least one setting to change');

export const ClientMetadata = z
  .record(z.string(), z.unknown())
  .describe("the client's registered metadata, without its secret")
  .meta({ id: 'ClientMetadata' });
