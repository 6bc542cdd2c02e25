// The operator API's API resources through HTTP on each database: who may call it, register, find by audience,
// read, change, page through, delete; bad input is 400 JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient } from '../../test/support/api.js';
import { assertBadRequest, assertOperatorsOnly, operatorTokens } from '../../test/support/operator-api.js';
import { describeWithServer } from '../../test/support/server.js';

type Obj = Record<string, unknown>;

describeWithServer('the operator API: API resources', (server) => {
  const api = apiClient(server);

  test('operators only: no token 401, a tenants:manage client 403', async () => {
    const { manage } = await operatorTokens(server());
    await assertOperatorsOnly(api, manage, 'GET', '/api/admin/resources');
    await assertOperatorsOnly(api, manage, 'POST', '/api/admin/resources', {
      audience: 'https://x.example',
      name: 'X',
    });
  });

  test('register, find by audience, read, change, page through, delete', async () => {
    const { ops } = await operatorTokens(server());
    const created = await api.call('POST', '/api/admin/resources', ops, {
      audience: 'https://api.invoices.example',
      name: 'Invoices',
      permissions: ['invoices:write', 'invoices:read'],
      public: true,
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('cache-control'), 'no-store');
    assert.deepEqual(created.body.permissions, ['invoices:read', 'invoices:write']);
    assert.equal(created.body.access_token_ttl, 900);
    assert.equal(created.body.signing_alg, 'ES256');
    const id = String(created.body.id);
    const again = await api.call('POST', '/api/admin/resources', ops, {
      audience: 'https://api.invoices.example',
      name: 'Again',
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'audience_taken');

    const found = await api.call<{ items: Obj[] }>(
      'GET',
      `/api/admin/resources?audience=${encodeURIComponent('https://api.invoices.example')}`,
      ops,
    );
    assert.deepEqual(
      found.body.items.map((r) => r.id),
      [id],
    );
    assert.equal((await api.call('GET', `/api/admin/resources/${id}`, ops)).body.name, 'Invoices');
    const changed = await api.call('PATCH', `/api/admin/resources/${id}`, ops, {
      access_token_ttl: 600,
      signing_alg: 'RS256',
      permissions: ['invoices:read'],
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.access_token_ttl, 600);
    assert.deepEqual(changed.body.permissions, ['invoices:read']);

    await api.call('POST', '/api/admin/resources', ops, { audience: 'https://api.two.example', name: 'Two' });
    const first = await api.call<{ items: Obj[]; next_cursor: string }>('GET', '/api/admin/resources?limit=1', ops);
    assert.equal(first.body.items.length, 1);
    const second = await api.call<{ items: Obj[]; next_cursor: string | null }>(
      'GET',
      `/api/admin/resources?limit=1&cursor=${first.body.next_cursor}`,
      ops,
    );
    assert.equal(second.body.items.length, 1);
    assert.notEqual(second.body.items[0]!.id, first.body.items[0]!.id);

    assert.equal((await api.call('DELETE', `/api/admin/resources/${id}`, ops)).status, 204);
    const gone = await api.call('GET', `/api/admin/resources/${id}`, ops);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error, 'resource_not_found');
  });

  test('bad input is 400 JSON: unknown fields, wrong types, a bad audience or permission, the reserved audience, a bad id or cursor', async () => {
    const { ops } = await operatorTokens(server());
    const post = (body: unknown) => assertBadRequest(api, ops, 'POST', '/api/admin/resources', body);
    await post({ audience: 'https://a.example', name: 'A', extra: 1 });
    await post({ audience: 'https://a.example', name: 'A', access_token_ttl: 'long' });
    await post({ audience: 'not a uri', name: 'A' });
    await post({ audience: 'https://a.example', name: 'A', permissions: ['bad"name'] });
    await post({ audience: `${server().url}/api`, name: 'Mine' });
    await post({ audience: 'https://a.example', name: 'A', access_token_ttl: 5 });
    await assertBadRequest(api, ops, 'PATCH', '/api/admin/resources/not-a-uuid', { name: 'B' });
    await assertBadRequest(api, ops, 'GET', '/api/admin/resources?cursor=nonsense');
    const created = await api.call('POST', '/api/admin/resources', ops, { audience: 'https://b.example', name: 'B' });
    await assertBadRequest(api, ops, 'PATCH', `/api/admin/resources/${String(created.body.id)}`, {});
  });
});
