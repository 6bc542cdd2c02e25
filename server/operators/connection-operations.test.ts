// The operator API's global connections through HTTP on each database: who may call it, add (the secret never
// shown back), list with cursors, read and change by slug, remove; bad input is 400 JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Connection } from '../db/entities/index.js';
import { apiClient } from '../../test/support/api.js';
import { assertBadRequest, assertOperatorsOnly, operatorTokens } from '../../test/support/operator-api.js';
import { describeWithServer } from '../../test/support/server.js';

type Obj = Record<string, unknown>;
const upstream = (slug: string) => ({
  slug,
  kind: 'oidc',
  name: `Sign in ${slug}`,
  issuer: 'https://idp.example',
  client_id: 'tessera',
  client_secret: 'upstream secret value',
});

describeWithServer('the operator API: global connections', (server) => {
  const api = apiClient(server);

  test('operators only: no token 401, a tenants:manage client 403', async () => {
    const { manage } = await operatorTokens(server());
    await assertOperatorsOnly(api, manage, 'GET', '/api/admin/connections');
    await assertOperatorsOnly(api, manage, 'POST', '/api/admin/connections', upstream('nope'));
    assert.equal(await server().db.read((m) => m.countBy(Connection, { slug: 'nope' })), 0);
  });

  test('add, list page by page, read and change by slug, remove; the secret is stored sealed and never shown', async () => {
    const { ops } = await operatorTokens(server());
    const created = await api.call('POST', '/api/admin/connections', ops, {
      ...upstream('corp'),
      trusted_for_email: true,
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.tenant_id, null);
    assert.equal(created.body.has_secret, true);
    assert.equal(created.body.trusted_for_email, true);
    assert.equal(created.body.redirect_uri, `${server().url}/connections/corp/callback`);
    assert.ok(!JSON.stringify(created.body).includes('upstream secret value'));
    const row = await server().db.read((m) => m.findOneByOrFail(Connection, { slug: 'corp' }));
    assert.ok(row.secret && !row.secret.includes('upstream secret value'), 'sealed');
    assert.equal((await api.call('POST', '/api/admin/connections', ops, upstream('corp'))).status, 409);

    await api.call('POST', '/api/admin/connections', ops, upstream('second'));
    const first = await api.call<{ items: Obj[]; next_cursor: string }>('GET', '/api/admin/connections?limit=1', ops);
    const rest = await api.call<{ items: Obj[]; next_cursor: string | null }>(
      'GET',
      `/api/admin/connections?limit=100&cursor=${first.body.next_cursor}`,
      ops,
    );
    const slugs = [...first.body.items, ...rest.body.items].map((c) => c.slug).sort();
    assert.deepEqual(slugs, ['corp', 'second']);
    assert.equal(rest.body.next_cursor, null);
    assert.ok(!JSON.stringify(rest.body).includes('upstream secret value'));

    assert.equal((await api.call('GET', '/api/admin/connections/corp', ops)).body.id, created.body.id);
    assert.equal((await api.call('GET', `/api/admin/connections/${String(created.body.id)}`, ops)).body.slug, 'corp');
    const changed = await api.call('PATCH', '/api/admin/connections/corp', ops, {
      disabled: true,
      trusted_for_email: false,
      client_secret: 'a new secret',
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.disabled, true);
    assert.equal(changed.body.trusted_for_email, false);
    assert.ok(!JSON.stringify(changed.body).includes('a new secret'));

    assert.equal((await api.call('DELETE', '/api/admin/connections/corp', ops)).status, 204);
    const gone = await api.call('GET', '/api/admin/connections/corp', ops);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error, 'connection_not_found');
  });

  test('bad input is 400 JSON: unknown fields, no issuer for oidc, a bad slug or URL, an empty change, a bad cursor', async () => {
    const { ops } = await operatorTokens(server());
    const post = (body: unknown) => assertBadRequest(api, ops, 'POST', '/api/admin/connections', body);
    await post({ ...upstream('x'), extra: 1 });
    await post({ ...upstream('x'), issuer: undefined });
    await post({ ...upstream('Not A Slug') });
    await post({ ...upstream('x'), issuer: 'ftp://idp.example' });
    await post({ ...upstream('x'), trusted_for_email: 'yes' });
    await api.call('POST', '/api/admin/connections', ops, upstream('kept'));
    await assertBadRequest(api, ops, 'PATCH', '/api/admin/connections/kept', {});
    await assertBadRequest(api, ops, 'PATCH', '/api/admin/connections/kept', { disabled: 'no' });
    await assertBadRequest(api, ops, 'GET', '/api/admin/connections?cursor=nonsense');
  });
});
