// The operator operation behind clients:configure: the settings a registered client may change later (its default
// resource, the tenant it acts in with client credentials, how it authenticates, its ID token algorithm).
import type { Database } from '../db/database.js';
import { errorResponses, type Operation, operation } from './operation.js';
import { ClientMetadata, ClientParams, ClientSettingsBody } from './schemas.js';
import { TenantDirectory } from '../tenants/claims.js';
import { NotFound } from '../errors.js';
import { type ClientSettings, configureClient } from '../oidc/clients.js';

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
