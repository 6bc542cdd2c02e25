// Operator operations on global connections (offered on every sign-in page): add, list, read, change, remove.
// The client secret is write-only. A tenant's own connections are its admins' (federation/routes.ts).
import { pageList } from '../db/cursor.js';
import { errorResponses, type Operation, operation } from './operation.js';
import { PageQuery, pageOf } from '../tenants/schemas.js';
import type { ConnectionService } from '../federation/connections.js';
import {
  ConnectionBody,
  CreateGlobalConnection,
  GlobalConnectionParams,
  UpdateGlobalConnection,
} from '../federation/schemas.js';

const tag = 'Operator: connections';

export function connectionOperations(connections: ConnectionService): Operation[] {
  const one = '/api/admin/connections/:connection';
  return [
    operation(
      'connections.list',
      {
        method: 'get',
        path: '/api/admin/connections',
        tag,
        summary: 'The global connections (never their secrets)',
        query: PageQuery,
        responses: {
          200: { description: 'A page of connections', schema: pageOf(ConnectionBody) },
          ...errorResponses(400, 401, 403),
        },
      },
      async ({ query }, { actor }) => ({
        body: pageList(await connections.list({ kind: 'operator', actor }), (c) => c.id, query),
      }),
    ),
    operation(
      'connections.create',
      {
        method: 'post',
        path: '/api/admin/connections',
        tag,
        summary:
          'Add a global connection (OpenID Connect, OAuth 2.0 with a userinfo URL, or SAML 2.0 from IdP metadata)',
        body: CreateGlobalConnection,
        responses: {
          201: { description: 'Added; register its redirect_uri at the provider', schema: ConnectionBody },
          ...errorResponses(400, 401, 403, 409, 422),
        },
      },
      async ({ body }, { actor }) => ({
        status: 201,
        body: await connections.create({ kind: 'operator', actor }, body),
      }),
    ),
    operation(
      'connections.get',
      {
        method: 'get',
        path: one,
        tag,
        summary: 'Read a global connection by its slug or id (never its secret)',
        params: GlobalConnectionParams,
        responses: {
          200: { description: 'The connection', schema: ConnectionBody },
          ...errorResponses(400, 401, 403, 404),
        },
      },
      async ({ params }, { actor }) => {
        const owner = { kind: 'operator' as const, actor };
        return { body: await connections.get(owner, await connections.globalId(params.connection)) };
      },
    ),
    operation(
      'connections.update',
      {
        method: 'patch',
        path: one,
        tag,
        summary: 'Change a global connection: its endpoints, secret, claims, trust, or disable / enable it',
        params: GlobalConnectionParams,
        body: UpdateGlobalConnection,
        responses: {
          200: { description: 'The changed connection', schema: ConnectionBody },
          ...errorResponses(400, 401, 403, 404, 422),
        },
      },
      async ({ params, body }, { actor }) => {
        const owner = { kind: 'operator' as const, actor };
        return { body: await connections.update(owner, await connections.globalId(params.connection), body) };
      },
    ),
    operation(
      'connections.delete',
      {
        method: 'delete',
        path: one,
        tag,
        summary: 'Remove a global connection nobody signs in through (else disable it)',
        params: GlobalConnectionParams,
        responses: { 204: { description: 'Removed' }, ...errorResponses(400, 401, 403, 404, 409) },
      },
      async ({ params }, { actor }) => {
        const owner = { kind: 'operator' as const, actor };
        await connections.remove(owner, await connections.globalId(params.connection));
        return { status: 204 };
      },
    ),
  ];
}
