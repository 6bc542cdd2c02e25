// The operator API's domain operations through HTTP on each database: who may call them, attesting a domain
// for a tenant (verified without DNS), asking who holds one; bad input is 400 JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient } from '../../test/support/api.js';
import { assertBadRequest, assertOperatorsOnly, operatorTokens } from '../../test/support/operator-api.js';
import { describeWithServer } from '../../test/support/server.js';

describeWithServer('the operator API: domains', (server) => {
  const api = apiClient(server);
  const tenant = async (ops: string, name: string) =>
    String((await api.call('POST', '/api/admin/tenants', ops, { name })).body.id);

  test('operators only: no token 401, a tenants:manage client 403', async () => {
    const { ops, manage } = await operatorTokens(server());
    const acme = await tenant(ops, 'Refused Co');
    await assertOperatorsOnly(api, manage, 'POST', `/api/admin/tenants/${acme}/domains`, { domain: 'refused.example' });
    await assertOperatorsOnly(api, manage, 'GET', '/api/admin/domain-owner?domain=refused.example');
    const owner = await api.call('GET', '/api/admin/domain-owner?domain=refused.example', ops);
    assert.deepEqual(owner.body, { owner: null }, 'nothing was attested');
  });

  test('attest a domain (normalised, verified by the operator); its owner is found by an address; another tenant is refused', async () => {
    const { ops } = await operatorTokens(server());
    const [acme, globex] = [await tenant(ops, 'Acme'), await tenant(ops, 'Globex')];
    const verified = await api.call('POST', `/api/admin/tenants/${acme}/domains`, ops, {
      domain: 'Acme.Example.',
      join_policy: 'auto',
    });
    assert.equal(verified.status, 200);
    assert.equal(verified.body.domain, 'acme.example');
    assert.equal(verified.body.status, 'verified');
    assert.equal(verified.body.method, 'operator');
    const owner = await api.call(
      'GET',
      `/api/admin/domain-owner?domain=${encodeURIComponent('someone@ACME.example')}`,
      ops,
    );
    assert.deepEqual(owner.body, {
      owner: {
        domain: 'acme.example',
        tenant_id: acme,
        tenant_name: 'Acme',
        join_policy: 'auto',
        sso_connection_id: null,
        password_sign_in: true,
      },
    });
    const taken = await api.call('POST', `/api/admin/tenants/${globex}/domains`, ops, { domain: 'acme.example' });
    assert.equal(taken.status, 409);
    const nowhere = await api.call('POST', `/api/admin/tenants/${crypto.randomUUID()}/domains`, ops, {
      domain: 'x.example',
    });
    assert.equal(nowhere.status, 404);
  });

  test('bad input is 400 JSON: a bad policy, unknown fields, a bad tenant id, no domain', async () => {
    const { ops } = await operatorTokens(server());
    const acme = await tenant(ops, 'Bad Input Co');
    const post = (body: unknown) => assertBadRequest(api, ops, 'POST', `/api/admin/tenants/${acme}/domains`, body);
    await post({ domain: 'a.example', join_policy: 'always' });
    await post({ domain: 'a.example', extra: true });
    await post({ domain: 'not a domain!' });
    await post({});
    await assertBadRequest(api, ops, 'POST', '/api/admin/tenants/not-a-uuid/domains', { domain: 'a.example' });
    await assertBadRequest(api, ops, 'GET', '/api/admin/domain-owner');
  });
});
