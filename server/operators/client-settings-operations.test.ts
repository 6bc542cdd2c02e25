// clients.configure through the operator API on each database: who may call it; a tenant by slug, a JWKS with
// private_key_jwt, an ID token algorithm and a default resource; removing them; bad input is 400 JSON, a rule 422.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as jose from 'jose';
import { apiClient } from '../../test/support/api.js';
import { assertBadRequest, assertOperatorsOnly, operatorTokens } from '../../test/support/operator-api.js';
import { describeWithServer } from '../../test/support/server.js';

describeWithServer('the operator API: client settings', (server) => {
  const api = apiClient(server);
  const client = async (ops: string, id: string) =>
    api.call('POST', '/api/admin/clients', ops, { name: id, client_id: id, grant_types: ['client_credentials'] });

  test('operators only: no token 401, a tenants:manage client 403', async () => {
    const { ops, manage } = await operatorTokens(server());
    await client(ops, 'guarded-app');
    await assertOperatorsOnly(api, manage, 'PATCH', '/api/admin/clients/guarded-app/settings', {
      id_token_alg: 'RS256',
    });
  });

  test('a tenant by slug, private_key_jwt with a JWKS, RS256, a default resource; then removed; never the secret', async () => {
    const { ops } = await operatorTokens(server());
    await client(ops, 'keys-app');
    await api.call('POST', '/api/admin/tenants', ops, { name: 'Acme', slug: 'acme' });
    const { publicKey } = await jose.generateKeyPair('ES256');
    const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1' }] };
    const shown = await api.call('PATCH', '/api/admin/clients/keys-app/settings', ops, {
      auth_method: 'private_key_jwt',
      jwks,
      id_token_alg: 'RS256',
      default_resource: 'https://api.invoices.example',
      tenant: 'acme',
      tenant_roles: ['tenant-admin'],
    });
    assert.equal(shown.status, 200, JSON.stringify(shown.body));
    assert.equal(shown.body.token_endpoint_auth_method, 'private_key_jwt');
    assert.equal(shown.body.id_token_signed_response_alg, 'RS256');
    assert.equal(shown.body.default_resource, 'https://api.invoices.example');
    assert.deepEqual(shown.body.tenant_roles, ['tenant-admin']);
    assert.equal(shown.body.client_secret, undefined);
    const removed = await api.call('PATCH', '/api/admin/clients/keys-app/settings', ops, {
      default_resource: null,
      tenant: null,
    });
    assert.equal(removed.body.default_resource, undefined);
    assert.equal(removed.body.tenant_id, undefined);
  });

  test('bad input is 400 JSON; a broken rule 422; an unknown tenant 404', async () => {
    const { ops } = await operatorTokens(server());
    await client(ops, 'plain-app');
    const patch = (body: unknown) => assertBadRequest(api, ops, 'PATCH', '/api/admin/clients/plain-app/settings', body);
    await patch({});
    await patch({ extra: 1 });
    await patch({ jwks: 'not a set' });
    await patch({ tenant_roles: ['Not A Role'] });
    const rule = await api.call('PATCH', '/api/admin/clients/plain-app/settings', ops, {
      auth_method: 'private_key_jwt',
    });
    assert.equal(rule.status, 422);
    assert.match(String(rule.body.error_description), /public keys/);
    const nowhere = await api.call('PATCH', '/api/admin/clients/plain-app/settings', ops, { tenant: 'nowhere' });
    assert.equal(nowhere.status, 404);
  });
});
