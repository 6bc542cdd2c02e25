// Operator operations on OIDC clients: create, list, read, change, rotate the secret, delete.
import type { z } from 'zod';
import {
  type ClientSummary,
  createClient,
  deleteClient,
  getClient,
  pageClients,
  rotateClientSecret,
  updateClient,
} from '../oidc/clients.js';
import { NotFound } from '../errors.js';
import { errorResponses, type Operation, operation } from './operation.js';
import type { OperatorDeps } from './operations.js';
import {
  ClientBody,
  ClientParams,
  ClientQuery,
  ClientSecret,
  CreateClient,
  CreatedClient,
  pageOf,
  UpdateClient,
} from './schemas.js';

const tag = 'Operator: clients';

export const clientView = (c: ClientSummary): z.output<typeof ClientBody> => ({
  client_id: c.id,
  name: c.name,
  redirect_uris: c.redirectUris,
  post_logout_redirect_uris: c.postLogoutRedirectUris,
  grant_types: c.grantTypes,
  public: c.isPublic,
  first_party: c.firstParty,
  tenants_manage: c.tenantsManage,
  operator: c.operator,
  require_mfa: c.requireMfa,
  initiate_login_uri: c.initiateLoginUri,
  created_at: c.createdAt.toISOString(),
});

export function clientOperations({ db }: OperatorDeps): Operation[] {
  return [
    operation(
      'clients.list',
      {
        method: 'get',
        path: '/api/admin/clients',
        tag,
        summary: 'List OIDC clients (never their secrets), optionally those whose id or name contains `search`',
        query: ClientQuery,
        responses: {
          200: { description: 'A page of clients', schema: pageOf(ClientBody) },
          ...errorResponses(400, 401, 403),
        },
      },
      async ({ query }) => {
        const page = await pageClients(db, query);
        return { body: { items: page.items.map(clientView), next_cursor: page.next_cursor } };
      },
    ),
    operation(
      'clients.create',
      {
        method: 'post',
        path: '/api/admin/clients',
        tag,
        summary: 'Register an OIDC client; a confidential one gets its secret in this answer only',
        body: CreateClient,
        responses: {
          201: { description: 'Created', schema: CreatedClient },
          ...errorResponses(400, 401, 403, 409, 422),
        },
      },
      async ({ body }, { actor }) => {
        const created = await createClient(
          db,
          {
            id: body.client_id,
            name: body.name,
            redirectUris: body.redirect_uris,
            postLogoutRedirectUris: body.post_logout_redirect_uris,
            grantTypes: body.grant_types,
            isPublic: body.public,
            firstParty: body.first_party,
            initiateLoginUri: body.initiate_login_uri,
            tenantsManage: body.tenants_manage,
            operator: body.operator,
            requireMfa: body.require_mfa,
          },
          actor,
        );
        const client = clientView(await getClient(db, created.id));
        return { status: 201, body: { ...client, ...(created.secret ? { client_secret: created.secret } : {}) } };
      },
    ),
    operation(
      'clients.get',
      {
        method: 'get',
        path: '/api/admin/clients/:clientId',
        tag,
        summary: 'Read a client',
        params: ClientParams,
        responses: { 200: { description: 'The client', schema: ClientBody }, ...errorResponses(400, 401, 403, 404) },
      },
      async ({ params }) => ({ body: clientView(await getClient(db, params.clientId)) }),
    ),
    operation(
      'clients.update',
      {
        method: 'patch',
        path: '/api/admin/clients/:clientId',
        tag,
        summary: "Change a client's redirect URIs and settings",
        params: ClientParams,
        body: UpdateClient,
        responses: {
          200: { description: 'The changed client', schema: ClientBody },
          ...errorResponses(400, 401, 403, 404, 422),
        },
      },
      async ({ params, body }, { actor }) => {
        const changed = await updateClient(
          db,
          params.clientId,
          {
            name: body.name,
            redirectUris: body.redirect_uris,
            postLogoutRedirectUris: body.post_logout_redirect_uris,
            firstParty: body.first_party,
            initiateLoginUri: body.initiate_login_uri,
            tenantsManage: body.tenants_manage,
            operator: body.operator,
          },
          actor,
        );
        return { body: clientView(changed) };
      },
    ),
    operation(
      'clients.rotate-secret',
      {
        method: 'post',
        path: '/api/admin/clients/:clientId/secret',
        tag,
        summary: 'Give a confidential client a new secret (the old one stops working)',
        params: ClientParams,
        responses: {
          200: { description: 'The new secret, shown only now', schema: ClientSecret },
          ...errorResponses(400, 401, 403, 404, 422),
        },
      },
      async ({ params }, { actor }) => {
        const { id, secret } = await rotateClientSecret(db, params.clientId, actor);
        return { body: { client_id: id, client_secret: secret } };
      },
    ),
    operation(
      'clients.delete',
      {
        method: 'delete',
        path: '/api/admin/clients/:clientId',
        tag,
        summary: 'Delete a client; its tokens stop working at their next use (not one Tessera keeps itself: 409)',
        params: ClientParams,
        responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404, 409) },
      },
      async ({ params }, { actor }) => {
        if (!(await deleteClient(db, params.clientId, actor)))
          throw new NotFound(`There is no client "${params.clientId}".`, 'client_not_found');
        return { status: 204 };
      },
    ),
  ];
}
