// /api/openapi.json is generated from the schemas the routes validate with; this checks it matches the server.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken } from '../../test/support/tokens.js';

type Operation = {
  responses: Record<string, { content?: { 'application/json': { schema: object } } }>;
  parameters: unknown[];
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

describeWithServer('OpenAPI document', (server: () => TestServer) => {
  let doc: Document;
  let token: string;

  before(async () => {
    doc = (await (await fetch(`${server().url}/api/openapi.json`)).json()) as Document;
    token = await clientToken(server(), { manage: true });
  });

  test('it is OpenAPI 3.1, needs no token to read, and every reference resolves from the document root', () => {
    assert.equal(doc.openapi, '3.1.0');
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(refs.length > 0);
    const components = (doc as unknown as { components: { schemas: Record<string, unknown> } }).components.schemas;
    for (const ref of refs) {
      assert.match(ref, /^#\/components\/schemas\//, ref);
      assert.ok(components[ref.split('/').pop()!], `${ref} exists`);
    }
  });

  test('every API route is documented, and every documented operation is a route', () => {
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    // What Koa actually routes, not the specs the document was made from.
    const routed = server()
      .tessera.api.router.stack.flatMap((layer) =>
        layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path).replace(/:(\w+)/g, '{$1}')}`),
      )
      .sort();
    assert.deepEqual(documented, routed);
    assert.ok(routed.length >= 11);
  });

  test('real responses of every route, tenants and invitations, validate against the documented schemas', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    // Validate as tools do: references resolve against the whole document (components/schemas).
    ajv.addSchema({ ...doc, $id: 'openapi.json' } as object, 'openapi.json');
    const resolve = (schema: object) =>
      JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')) as object;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server().url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    };
    const check = async (method: string, template: string, path: string, body?: unknown) => {
      const res = await call(method, path, body);
      const documented = doc.paths[template]?.[method.toLowerCase()]?.responses[String(res.status)];
      assert.ok(documented, `${method} ${template} answered ${res.status}, which is not documented`);
      const schema = documented.content?.['application/json'].schema;
      if (schema)
        assert.ok(ajv.validate(resolve(schema), res.json), `${method} ${template} ${res.status}: ${ajv.errorsText()}`);
      return res.json as Record<string, string>;
    };
    const tenant = await check('POST', '/api/tenants', '/api/tenants', {
      name: 'Documented',
      attributes: { a: [1, { b: null }] },
    });
    await check('POST', '/api/tenants', '/api/tenants', { name: 'Documented', slug: tenant.slug });
    await check('GET', '/api/tenants', '/api/tenants');
    await check('GET', '/api/tenants/{tenantId}', `/api/tenants/${tenant.id}`);
    await check('GET', '/api/tenants/{tenantId}', `/api/tenants/${crypto.randomUUID()}`);
    await check('PATCH', '/api/tenants/{tenantId}', `/api/tenants/${tenant.id}`, { name: 'Renamed' });
    await check('GET', '/api/tenants/{tenantId}/roles', `/api/tenants/${tenant.id}/roles`);
    await check('POST', '/api/tenants/{tenantId}/roles', `/api/tenants/${tenant.id}/roles`, { name: 'viewer' });
    await check('GET', '/api/tenants/{tenantId}/memberships', `/api/tenants/${tenant.id}/memberships`);
    await check('DELETE', '/api/tenants/{tenantId}/roles/{role}', `/api/tenants/${tenant.id}/roles/viewer`);

    const tokens = '/api/tenants/{tenantId}/invitations/tokens';
    const base = `/api/tenants/${tenant.id}/invitations/tokens`;
    const issued = await check('POST', tokens, base, {
      roles: ['tenant-user'],
      max_uses: 3,
      metadata: { plan: 'pro' },
    });
    assert.ok(issued.token && issued.url, 'deliver=none hands the link back once');
    await check('POST', tokens, base, { roles: ['no-such-role'] });
    await check('GET', tokens, `${base}?status=pending`);
    await check('GET', `${tokens}/{tokenId}`, `${base}/${issued.id}`);
    await check('GET', `${tokens}/{tokenId}`, `${base}/${crypto.randomUUID()}`);
    await check('POST', `${tokens}/{tokenId}/resend`, `${base}/${issued.id}/resend`);
    await check('DELETE', `${tokens}/{tokenId}`, `${base}/${issued.id}`);
    await check('POST', `${tokens}/{tokenId}/resend`, `${base}/${issued.id}/resend`);
    await check('DELETE', '/api/tenants/{tenantId}', `/api/tenants/${tenant.id}`);
  });
});
