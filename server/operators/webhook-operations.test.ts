// The operator API's webhook endpoints (tenant_id null: every tenant's events) through HTTP on each database:
// who may call it; register (the secret once), list, read, change, ping, the delivery log, replay, rotate the
// secret, delete; bad input is 400 JSON.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DeliveryWorker, type DeliveryLogger } from '../delivery/worker.js';
import { apiClient } from '../../test/support/api.js';
import { assertBadRequest, assertOperatorsOnly, operatorTokens } from '../../test/support/operator-api.js';
import { describeWithServer } from '../../test/support/server.js';
import { verifyStandardWebhook, WebhookReceiver } from '../../test/support/webhook-receiver.js';

type Obj = Record<string, unknown>;
const silent: DeliveryLogger = { info() {}, warn() {}, error() {} };

describeWithServer('the operator API: webhooks', (server) => {
  const api = apiClient(server);
  let receiver: WebhookReceiver;
  before(async () => {
    receiver = await WebhookReceiver.start();
  });
  after(() => receiver.close());
  const deliver = () =>
    new DeliveryWorker(server().db, { webhook: server().tessera.webhooks.transport }, silent, {
      now: () => new Date(Date.now() + 2000),
    }).runOnce();

  test('operators only: no token 401, a tenants:manage client 403', async () => {
    const { manage } = await operatorTokens(server());
    await assertOperatorsOnly(api, manage, 'GET', '/api/admin/webhooks');
    await assertOperatorsOnly(api, manage, 'POST', '/api/admin/webhooks', {
      url: `${receiver.url}/refused`,
      events: ['tenant.created'],
    });
  });

  test("register (secret once), every tenant's events delivered signed, the log, replay, rotate, change, delete", async () => {
    const { ops } = await operatorTokens(server());
    const created = await api.call('POST', '/api/admin/webhooks', ops, {
      url: `${receiver.url}/ops`,
      events: ['tenant.created'],
      description: 'Ops',
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.tenant_id, null);
    const secret = String(created.body.secret);
    assert.match(secret, /^whsec_/);
    const id = String(created.body.id);
    const read = await api.call('GET', `/api/admin/webhooks/${id}`, ops);
    assert.equal(read.body.secret, undefined, 'never shown again');
    const listed = await api.call<{ items: Obj[] }>('GET', '/api/admin/webhooks?limit=100', ops);
    assert.ok(listed.body.items.some((e) => e.id === id));

    await api.call('POST', '/api/admin/tenants', ops, { name: 'Hooked By Ops' });
    await deliver();
    const got = receiver.received.filter((r) => r.path === '/hooks/ops');
    assert.equal(got.length, 1);
    assert.ok(verifyStandardWebhook(secret, got[0]!));

    const log = await api.call<{ items: Obj[] }>('GET', `/api/admin/webhooks/${id}/deliveries`, ops);
    const [first] = log.body.items;
    assert.equal(first?.status, 'succeeded');
    const detail = await api.call('GET', `/api/admin/webhooks/${id}/deliveries/${String(first!.id)}`, ops);
    assert.equal((detail.body.attempt_log as Obj[]).length, 1);
    const replayed = await api.call('POST', `/api/admin/webhooks/${id}/deliveries/${String(first!.id)}/replay`, ops);
    assert.equal(replayed.status, 202);
    assert.equal(replayed.body.replay_of, first!.id);
    assert.equal((await api.call('POST', `/api/admin/webhooks/${id}/ping`, ops)).status, 202);

    const rotated = await api.call('POST', `/api/admin/webhooks/${id}/rotate-secret`, ops, { overlap_seconds: 60 });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.secret, secret);
    const changed = await api.call('PATCH', `/api/admin/webhooks/${id}`, ops, { enabled: false });
    assert.equal(changed.body.enabled, false);
    assert.equal((await api.call('DELETE', `/api/admin/webhooks/${id}`, ops)).status, 204);
    assert.equal((await api.call('GET', `/api/admin/webhooks/${id}`, ops)).status, 404);
  });

  test('bad input is 400 JSON: unknown events, no events, unknown fields, an empty change, a bad id or overlap', async () => {
    const { ops } = await operatorTokens(server());
    const post = (body: unknown) => assertBadRequest(api, ops, 'POST', '/api/admin/webhooks', body);
    await post({ url: `${receiver.url}/x`, events: ['tenant.exploded'] });
    await post({ url: `${receiver.url}/x`, events: [] });
    await post({ url: `${receiver.url}/x`, events: ['tenant.created'], extra: 1 });
    const created = await api.call('POST', '/api/admin/webhooks', ops, {
      url: `${receiver.url}/kept`,
      events: ['tenant.created'],
    });
    const id = String(created.body.id);
    await assertBadRequest(api, ops, 'PATCH', `/api/admin/webhooks/${id}`, {});
    await assertBadRequest(api, ops, 'PATCH', '/api/admin/webhooks/not-a-uuid', { enabled: true });
    await assertBadRequest(api, ops, 'POST', `/api/admin/webhooks/${id}/rotate-secret`, { overlap_seconds: -1 });
    await assertBadRequest(api, ops, 'GET', `/api/admin/webhooks/${id}/deliveries?status=lost`);
    await api.call('DELETE', `/api/admin/webhooks/${id}`, ops);
  });
});
