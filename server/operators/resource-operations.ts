// Operator operations on API resources (/api/admin/resources): register, list, read, change, remove. The CLI's
// resources:* commands run them over the running server's operator API, or in-process.
import type { z } from 'zod';
import { pageList } from '../db/cursor.js';
import { NotFound } from '../errors.js';
import { errorResponses, type Operation, operation } from './operation.js';
import { pageOf } from '../tenants/schemas.js';
import { CreateResource, ResourceBody, ResourceParams, ResourceQuery, UpdateResource } from '../resources/schemas.js';
import type { NewResource, ResourceService, ResourceView } from '../resources/service.js';

const tag = 'Operator: API resources';

export const resourceView = (r: ResourceView): z.output<typeof ResourceBody> => ({
  id: r.id,
  audience: r.audience,
  name: r.name,
  permissions: r.permissions,
  access_token_ttl: r.accessTokenTtl,
  signing_alg: r.signingAlg,
  public: r.isPublic,
});

/** The API's field names to the service's. */
const fieldsOf = (body: Partial<z.output<typeof CreateResource>>): Partial<NewResource> => ({
  name: body.name,
  permissions: body.permissions,
  accessTokenTtl: body.access_token_ttl,
  signingAlg: body.signing_alg,
  isPublic: body.public,
});

export function resourceOperations(resources: ResourceService): Operation[] {
  const one = '/api/admin/resources/:resourceId';
  return [
    operation(
      'resources.list',
      {
        method: 'get',
        path: '/api/admin/resources',
        tag,
        summary: "The apps' registered APIs (API resources), or the one with an audience",
        query: ResourceQuery,
        responses: {
          200: { description: 'A page of resources', schema: pageOf(ResourceBody) },
          ...errorResponses(400, 401, 403),
        },
      },
      async ({ query: { audience, ...page } }) => {
        const all = (await resources.list()).filter((r) => audience === undefined || r.audience === audience);
        const listed = pageList(all, (r) => r.id, page);
        return { body: { items: listed.items.map(resourceView), next_cursor: listed.next_cursor } };
      },
    ),
    operation(
      'resources.create',
      {
        method: 'post',
        path: '/api/admin/resources',
        tag,
        summary: "Register an app's API: apps then get JWT access tokens for its audience",
        body: CreateResource,
        responses: {
          201: { description: 'Registered', schema: ResourceBody },
          ...errorResponses(400, 401, 403, 409),
        },
      },
      async ({ body }, { actor }) => {
        const created = await resources.create(
          { ...fieldsOf(body), audience: body.audience, name: body.name, permissions: body.permissions },
          actor,
        );
        return { status: 201, body: resourceView(created) };
      },
    ),
    operation(
      'resources.get',
      {
        method: 'get',
        path: one,
        tag,
        summary: 'Read a resource',
        params: ResourceParams,
        responses: {
          200: { description: 'The resource', schema: ResourceBody },
          ...errorResponses(400, 401, 403, 404),
        },
      },
      async ({ params }) => ({ body: resourceView(await resources.get(params.resourceId)) }),
    ),
    operation(
      'resources.update',
      {
        method: 'patch',
        path: one,
        tag,
        summary: "Change a resource; permissions it no longer has leave every tenant's mapping",
        params: ResourceParams,
        body: UpdateResource,
        responses: {
          200: { description: 'The changed resource', schema: ResourceBody },
          ...errorResponses(400, 401, 403, 404),
        },
      },
      async ({ params, body }, { actor }) => {
        const { audience } = await resources.get(params.resourceId);
        const changed = await resources.update(audience, fieldsOf(body), actor);
        return { body: resourceView(changed) };
      },
    ),
    operation(
      'resources.delete',
      {
        method: 'delete',
        path: one,
        tag,
        summary: "Remove a resource and every tenant's mapping of it; issued tokens live until they expire",
        params: ResourceParams,
        responses: { 204: { description: 'Removed' }, ...errorResponses(400, 401, 403, 404) },
      },
      async ({ params }, { actor }) => {
        const { audience } = await resources.get(params.resourceId);
        if (!(await resources.remove(audience, actor)))
          throw new NotFound('There is no resource with this id.', 'resource_not_found');
        return { status: 204 };
      },
    ),
  ];
}
