// The operator API through HTTP with real tokens, on each database: who may call it, the last operator,
// and each resource (clients, accounts, operators, tenants, keys, audit, outbox).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as oidc from 'openid-client';
import { OutboxMessage } from '../db/entities/index.js';
import { apiClient } from '../../test/support/api.js';
import { describeWithServer } from '../../test/support/server.js';
import { clientToken, operatorToken, person, signIn, userToken } from '../../test/support/tokens.js';

type Obj = Record<string, unknown>;

describeWithServer('the operator API', (server) => {
  const api = apiClient(server);

  test('a person without the operator role is refused with 403; once an operator, the same token works', async () => {
    const alice = await person(server(), 'Alice');
    const token = await userToken(server(), alice, 'openid operator');
    const refused = await api.call('GET', '/api/admin/clients', token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'forbidden');
    await server().tessera.operators.grant('test', { accountId: alice.id });
    assert.equal((await api.call('GET', '/api/admin/clients', token)).status, 200);
    // Checked at every call: without the role again, the token stops working.
    await server().db.transaction(async (m) => m.delete('operators', { accountId: alice.id }));
    assert.equal((await api.call('GET', '/api/admin/clients', token)).status, 403);
  });

  test('no token is 401; a tenants:manage client and a token without the operator scope are 403', async () => {
    assert.equal((await api.call('GET', '/api/admin/accounts')).status, 401);
    const manage = await clientToken(server(), { manage: true });
    assert.equal((await api.call('GET', '/api/admin/accounts', manage)).status, 403);
    const bob = await person(server(), 'Bob');
    await server().tessera.operators.grant('test', { accountId: bob.id });
    const noScope = await userToken(server(), bob, 'openid tenants:admin');
    const refused = await api.call('POST', '/api/admin/clients', noScope, { name: 'x', nonsense: true });
    assert.equal(refused.status, 403, 'refused before its body is read');
    assert.equal(refused.body.error, 'insufficient_scope');
  });

  test('the last operator cannot be removed, disabled or deleted; with a second one, it can', async () => {
    const ops = await operatorToken(server());
    const listed = await api.call<{ items: Obj[] }>('GET', '/api/admin/operators?limit=100', ops);
    for (const o of listed.body.items.slice(1))
      await server().db.transaction(async (m) => m.delete('operators', { accountId: o.account_id }));
    const only = (await api.call<{ items: Obj[] }>('GET', '/api/admin/operators', ops)).body.items[0];
    const last = only
      ? String(only.account_id)
      : String(
          (await api.call('POST', '/api/admin/operators', ops, { account_id: (await person(server(), 'Last')).id }))
            .body.account_id,
        );
    for (const [method, path] of [
      ['DELETE', `/api/admin/operators/${last}`],
      ['POST', `/api/admin/accounts/${last}/disable`],
      ['DELETE', `/api/admin/accounts/${last}`],
    ] as const) {
      const answer = await api.call(method, path, ops);
      assert.equal(answer.status, 409, `${method} ${path}`);
      assert.equal(answer.body.error, 'last_operator');
    }
    const second = await person(server(), 'Second');
    assert.equal((await api.call('POST', '/api/admin/operators', ops, { email: second.email })).status, 201);
    assert.equal((await api.call('DELETE', `/api/admin/operators/${last}`, ops)).status, 204);
    assert.equal((await api.call('DELETE', `/api/admin/operators/${second.id}`, ops)).status, 409);
  });

  test('clients: create, read, change redirect URIs, rotate the secret, delete', async () => {
    const ops = await operatorToken(server());
    const created = await api.call('POST', '/api/admin/clients', ops, {
      name: 'Billing',
      redirect_uris: ['https://billing.example/cb'],
    });
    assert.equal(created.status, 201);
    const id = String(created.body.client_id);
    assert.ok(created.body.client_secret);
    const read = await api.call('GET', `/api/admin/clients/${id}`, ops);
    assert.equal(read.body.client_secret, undefined, 'never shown again');
    const changed = await api.call('PATCH', `/api/admin/clients/${id}`, ops, {
      redirect_uris: ['https://billing.example/new'],
    });
    assert.deepEqual(changed.body.redirect_uris, ['https://billing.example/new']);
    const bad = await api.call('PATCH', `/api/admin/clients/${id}`, ops, { redirect_uris: [] });
    assert.equal(bad.status, 422, 'a code-flow client needs a redirect URI');
    const rotated = await api.call('POST', `/api/admin/clients/${id}/secret`, ops);
    assert.notEqual(rotated.body.client_secret, created.body.client_secret);
    assert.equal((await api.call('DELETE', `/api/admin/clients/${id}`, ops)).status, 204);
    assert.equal((await api.call('GET', `/api/admin/clients/${id}`, ops)).status, 404);

    // The clients Tessera signs its own pages (and the demo) in through are not an operator's to delete.
    for (const own of ['tessera-internal', 'tessera-demo']) {
      const refused = await api.call('DELETE', `/api/admin/clients/${own}`, ops);
      assert.equal(refused.status, 409, own);
      assert.equal(refused.body.error, 'client_managed');
      assert.equal((await api.call('GET', `/api/admin/clients/${own}`, ops)).status, 200);
    }
  });

  test('accounts: search, disable (its refresh tokens stop), enable, send a reset, delete', async () => {
    const ops = await operatorToken(server());
    const carol = await person(server(), 'Carol');
    const { tokens, rp } = await signIn(server(), carol, { scope: 'openid' });
    assert.ok(tokens.refresh_token);
    const found = await api.call<{ items: Obj[] }>(
      'GET',
      `/api/admin/accounts?search=${encodeURIComponent(carol.email)}`,
      ops,
    );
    assert.deepEqual(
      found.body.items.map((a) => a.id),
      [carol.id],
    );
    const disabled = await api.call('POST', `/api/admin/accounts/${carol.id}/disable`, ops);
    assert.ok(disabled.body.disabled_at);
    await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token!));
    assert.equal((await api.call('POST', `/api/admin/accounts/${carol.id}/enable`, ops)).body.disabled_at, null);
    assert.equal((await api.call('POST', `/api/admin/accounts/${carol.id}/password-reset`, ops)).status, 204);
    await server().tessera.accounts.settled();
    assert.ok(await server().db.read((m) => m.existsBy(OutboxMessage, { recipient: carol.email })));
    assert.equal((await api.call('DELETE', `/api/admin/accounts/${carol.id}`, ops)).status, 204);
    assert.equal((await api.call('GET', `/api/admin/accounts/${carol.id}`, ops)).status, 404);
  });

  test('tenants: created with a first admin by account id, or by an invitation mailed to them; all are listed', async () => {
    const ops = await operatorToken(server());
    const dave = await person(server(), 'Dave');
    const byId = await api.call('POST', '/api/admin/tenants', ops, {
      name: 'Acme',
      first_admin: { account_id: dave.id },
    });
    assert.equal(byId.status, 201);
    const daveToken = await userToken(server(), dave);
    const members = await api.call<{ items: Obj[] }>('GET', `/api/tenants/${byId.body.id}/memberships`, daveToken);
    assert.deepEqual(members.body.items[0]?.roles, ['tenant-admin']);
    const invited = await api.call('POST', '/api/admin/tenants', ops, {
      name: 'Globex',
      first_admin: { email: 'boss@globex.test' },
    });
    assert.equal(invited.status, 201);
    assert.ok(invited.body.first_admin_invitation_id);
    assert.ok(await server().db.read((m) => m.existsBy(OutboxMessage, { recipient: 'boss@globex.test' })));
    const unknown = await api.call('POST', '/api/admin/tenants', ops, {
      name: 'Nobody',
      first_admin: { account_id: crypto.randomUUID() },
    });
    assert.equal(unknown.status, 422);
    const all = await api.call<{ items: Obj[] }>('GET', '/api/admin/tenants?limit=100', ops);
    const ids = all.body.items.map((t) => t.id);
    assert.ok(ids.includes(byId.body.id) && ids.includes(invited.body.id));
    assert.ok(!all.body.items.some((t) => t.name === 'Nobody'), 'the failed create left no tenant');
  });

  test('keys are listed; audit events filter by type and actor and export as JSON lines; outbox lists and resends', async () => {
    const ops = await operatorToken(server());
    const keys = await api.call<{ items: Obj[] }>('GET', '/api/admin/keys', ops);
    assert.ok(keys.body.items.some((k) => k.status === 'current'));
    const made = await api.call('POST', '/api/admin/clients', ops, {
      name: 'Audited',
      grant_types: ['client_credentials'],
    });
    const newest = await api.call<{ items: Obj[] }>('GET', '/api/admin/audit-events?type=client.created&limit=5', ops);
    assert.ok(newest.body.items.length > 0 && newest.body.items.every((e) => e.type === 'client.created'));
    // By subject: MySQL keeps whole seconds, so among clients made in the same second "newest" is no order.
    const events = await api.call<{ items: Obj[] }>(
      'GET',
      `/api/admin/audit-events?type=client.created&subject=${encodeURIComponent(String(made.body.client_id))}`,
      ops,
    );
    const mine = events.body.items.find((e) => e.subject === made.body.client_id);
    assert.ok(mine && events.body.items.length === 1, 'the new client has its client.created event');
    const actor = String(mine.actor);
    const res = await fetch(
      `${server().url}/api/admin/audit-events/export?type=client.created&actor=${encodeURIComponent(actor)}`,
      { headers: { authorization: `Bearer ${ops}` } },
    );
    assert.match(res.headers.get('content-type') ?? '', /application\/x-ndjson/);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Obj);
    assert.ok(lines.length >= 1 && lines.every((e) => e.actor === actor && e.type === 'client.created'));
    const erin = await person(server(), 'Erin');
    await api.call('POST', `/api/admin/accounts/${erin.id}/password-reset`, ops);
    await server().tessera.accounts.settled();
    const outbox = await api.call<{ items: Obj[] }>(
      'GET',
      `/api/admin/outbox?to=${encodeURIComponent(erin.email)}`,
      ops,
    );
    const message = outbox.body.items[0]!;
    assert.equal((await api.call('POST', `/api/admin/outbox/${message.id}/resend`, ops)).status, 409, 'still queued');
    await server().db.write((m) => m.update(OutboxMessage, { id: message.id }, { status: 'failed' }));
    const resent = await api.call('POST', `/api/admin/outbox/${message.id}/resend`, ops);
    assert.equal(resent.body.status, 'queued');
    const shown = await api.call('GET', `/api/admin/outbox/${message.id}`, ops);
    assert.match(String(shown.body.body_text), /reset/i);
  });
});
