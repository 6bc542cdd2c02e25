// The operator operation behind clients:configure: the settings a registered client may change later (its default
// resource, the tenant it acts in with client credentials, how it authenticates, its ID token algorithm).
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { errorResponses, type Operation, operation } from './operation.js';
import { ClientParams } from './schemas.js';
import { TenantDirectory } from '../tenants/claims.js';
import { RoleName } from '../tenants/schemas.js';
import { NotFound } from '../errors.js';
import { type ClientSettings, configureClient } from '../oidc/clients.js';

const Url = z.string().min(1).max(2000);
export const ClientSettingsBody = z
  .object({
    default_resource: Url.nullable().optional().describe('the API resource its tokens are for when it names none'),
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
    jwks_uri: Url.nullable().optional(),
    id_token_alg: z.string().max(10).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'give at least one setting to change');

const ClientMetadata = z
  .record(z.string(), z.unknown())
  .describe("the client's registered metadata, without its secret")
  .meta({ id: 'ClientMetadata' });

export function clientSettingOperations(db: Database): Operation[] {
  const tenants = new TenantDirectory(db);
  return [
    operation(
      'clients.configure',
      {
        method: 'patch',
        path: '/api/admin/clients/:clientId/settings',
        tag: 'Operator: clients',
        summary: "Change a client's default resource, tenant, authentication method and keys, ID token algorithm",
        params: ClientParams,
        body: ClientSettingsBody,
        responses: {
          200: { description: "The client's metadata", schema: ClientMetadata },
          ...errorResponses(400, 401, 403, 404, 422),
        },
      },
      async ({ params, body }) => {
        const settings: ClientSettings = {
          defaultResource: body.default_resource,
          authMethod: body.auth_method,
          jwks: body.jwks,
          jwksUri: body.jwks_uri,
          idTokenAlg: body.id_token_alg,
        };
        if (body.tenant) {
          const tenant = await tenants.findLive(body.tenant);
          if (!tenant) throw new NotFound(`no tenant "${body.tenant}"`, 'tenant_not_found');
          settings.tenant = { id: tenant.id, roles: body.tenant_roles ?? ['tenant-user'] };
        } else if (body.tenant === null) settings.tenant = null;
        return { body: await configureClient(db, params.clientId, settings) };
      },
    ),
  ];
}
