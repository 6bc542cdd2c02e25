// Webhooks through the Management API and the delivery worker, on each database: endpoints and who may
// manage them, events written with their change (and not without it), signed deliveries received by a
// receiver on 127.0.0.1 that verifies them with the specification's algorithm, retries, replay, rotation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { recordAudit } from '../db/audit.js';
import {
  Invitation,
  OutboxMessage,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
} from '../db/entities/index.js';
import { DeliveryWorker, type DeliveryLogger } from '../delivery/worker.js';
import { recordExpiredInvitations } from '../invitations/expiry.js';
import { apiClient } from '../../test/support/api.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, person, userToken } from '../../test/support/tokens.js';
import { type Received, verifyStandardWebhook, WebhookReceiver } from '../../test/support/webhook-receiver.js';
import type { DeliveryDetail, DeliveryView, EndpointView } from './schemas.js';
import { SecretBox } from '../keys/sealing.js';
import { WebhookService } from './service.js';
import { guardedLookup, policyFor } from './ssrf.js';
import { WebhookTransport } from './transport.js';

type Created = EndpointView & { secret: string };
const silent: DeliveryLogger = { info() {}, warn() {}, error() {} };
// The production suite's key (SECRET_ENCRYPTION_KEYS below), for services built beside the server's.
const testBox = new SecretBox(['k'.repeat(32)], 'webhook-secrets');

describeWithServer('Webhooks: Management API and delivery', (server: () => TestServer) => {
  const { call, tenantWith } = apiClient(server);
  let receiver: WebhookReceiver;
  let manage: string;
  let admin: Person;
  let member: Person;
  let outsider: Person;
  let adminToken: string;
  let memberToken: string;
  let outsiderToken: string;

  before(async () => {
    receiver = await WebhookReceiver.start();
    manage = await clientToken(server(), { manage: true });
    [admin, member, outsider] = await Promise.all(['Ada', 'Milo', 'Otto'].map((n) => person(server(), n)));
    [adminToken, memberToken, outsiderToken] = await Promise.all(
      [admin, member, outsider].map((p) => userToken(server(), p)),
    );
  });
  after(() => receiver.close());

  const hooks = (tenantId: string) => `/api/tenants/${tenantId}/webhooks`;
  const register = async (tenantId: string, events: string[], name: string, token = manage) => {
    const res = await call<Created>('POST', hooks(tenantId), token, { url: `${receiver.url}/${name}`, events });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  /** Runs the delivery worker as main.ts builds it, a little ahead of the clock (MySQL keeps whole seconds). */
  const deliver = (aheadMs = 2000) =>
    new DeliveryWorker(server().db, { webhook: server().tessera.webhooks.transport }, silent, {
      now: () => new Date(Date.now() + aheadMs),
    }).runOnce();
  const eventsOf = (tenantId: string) =>
    server().db.read((m) => m.find(WebhookEvent, { where: { tenantId }, order: { createdAt: 'ASC' } }));
  const deliveriesTo = (endpointId: string) =>
    server().db.read((m) => m.find(WebhookDelivery, { where: { endpointId }, order: { id: 'ASC' } }));
  const receivedAt = (name: string) => receiver.received.filter((r) => r.path === `/hooks/${name}`);
  const payloadOf = (r: Received) =>
    JSON.parse(r.body) as { type: string; timestamp: string; data: Record<string, unknown> };

  test('a tenant admin registers an endpoint: 201, Location, the secret once; reads never show it, the database holds it sealed', async () => {
    const tenantId = await tenantWith(manage, 'Hooked Inc', [admin]);
    const res = await call<Created>('POST', hooks(tenantId), adminToken, {
      url: `${receiver.url}/register`,
      events: ['membership.created', 'membership.created', 'tenant.updated'],
      description: 'CRM sync',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.headers.get('location'), `${server().url}${hooks(tenantId)}/${res.body.id}`);
    assert.match(res.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(res.body.events, ['membership.created', 'tenant.updated']);
    assert.equal(res.body.tenant_id, tenantId);
    assert.equal(res.body.enabled, true);

    const read = await call<EndpointView>('GET', `${hooks(tenantId)}/${res.body.id}`, adminToken);
    assert.equal(read.status, 200);
    assert.equal('secret' in read.body, false);
    const listed = await call<{ items: EndpointView[] }>('GET', hooks(tenantId), adminToken);
    assert.deepEqual(
      listed.body.items.map((e) => [e.id, 'secret' in e]),
      [[res.body.id, false]],
    );
    const row = await server().db.read((m) => m.findOneByOrFail(WebhookEndpoint, { id: res.body.id }));
    assert.ok(!row.secretSealed.includes(res.body.secret.slice(6, 20)), 'the secret is not stored in clear');
  });

  test('who may manage endpoints: tenant-admins and tenants:manage clients; a member gets 403, an outsider 404, no token 401', async () => {
    const tenantId = await tenantWith(manage, 'Guarded Inc', [admin], [member]);
    const body = { url: `${receiver.url}/guarded`, events: ['tenant.updated'] };
    assert.equal((await call('POST', hooks(tenantId), memberToken, body)).status, 403);
    assert.equal((await call('GET', hooks(tenantId), memberToken)).status, 403);
    assert.equal((await call('POST', hooks(tenantId), outsiderToken, body)).status, 404);
    assert.equal((await call('POST', hooks(tenantId), undefined, body)).status, 401);
    const created = await register(tenantId, ['tenant.updated'], 'guarded', adminToken);
    assert.equal((await call('GET', `${hooks(tenantId)}/${created.id}`, manage)).status, 200);
    // Another tenant's admin cannot reach it through their own tenant either.
    const other = await tenantWith(manage, 'Other Inc', [outsider]);
    assert.equal((await call('GET', `${hooks(other)}/${created.id}`, outsiderToken)).status, 404);
  });

  test('bad input is a 4xx, never a 500: unknown events, no events, a bad URL, unknown fields', async () => {
    const tenantId = await tenantWith(manage, 'Strict Inc');
    for (const body of [
      { url: `${receiver.url}/x`, events: ['tenant.exploded'] },
      { url: `${receiver.url}/x`, events: [] },
      { url: 'not a url', events: ['tenant.updated'] },
      { url: 'ftp://example.com/x', events: ['tenant.updated'] },
      { url: `${receiver.url}/x`, events: ['tenant.updated'], secret: 'whsec_mine' },
    ]) {
      const res = await call('POST', hooks(tenantId), manage, body);
      assert.ok(res.status === 400 || res.status === 422, `${JSON.stringify(body)} -> ${res.status}`);
    }
  });

  test('a change writes its event and a delivery for each subscribed endpoint, in its transaction; others get nothing', async () => {
    const tenantId = await tenantWith(manage, 'Events Inc', [admin]);
    const subscribed = await register(tenantId, ['tenant.updated'], 'events-a');
    const notSubscribed = await register(tenantId, ['tenant.deleted'], 'events-b');
    const otherTenant = await tenantWith(manage, 'Bystander Inc');
    const bystander = await register(otherTenant, ['tenant.updated'], 'events-c');

    assert.equal((await call('PATCH', `/api/tenants/${tenantId}`, adminToken, { name: 'Events Ltd' })).status, 200);
    const events = (await eventsOf(tenantId)).filter((e) => e.type === 'tenant.updated');
    assert.equal(events.length, 1);
    const payload = JSON.parse(events[0]!.payload) as { type: string; data: Record<string, unknown> };
    assert.deepEqual(payload.data, { tenant_id: tenantId, fields: ['name'], actor: admin.id });
    assert.equal((await deliveriesTo(subscribed.id)).length, 1);
    assert.equal((await deliveriesTo(notSubscribed.id)).length, 0);
    assert.equal((await deliveriesTo(bystander.id)).length, 0);
    const [delivery] = await deliveriesTo(subscribed.id);
    const message = await server().db.read((m) => m.findOneByOrFail(OutboxMessage, { id: delivery!.outboxId }));
    assert.equal(message.channel, 'webhook');
    assert.equal(message.status, 'queued');
  });

  test('a transaction that rolls back leaves no event, no delivery and no outbox message', async () => {
    const tenantId = await tenantWith(manage, 'Rollback Inc');
    const endpoint = await register(tenantId, ['tenant.updated'], 'rollback');
    const outboxBefore = await server().db.read((m) => m.countBy(OutboxMessage, { channel: 'webhook' }));
    await assert.rejects(
      server().db.transaction(async (m) => {
        await recordAudit(m, { type: 'tenant.updated', actor: 'cli', tenantId, subject: tenantId });
        // Inside the transaction the event and its delivery exist...
        assert.equal(await m.countBy(WebhookEvent, { tenantId }), 1);
        throw new Error('the change fails after its event was written');
      }),
      /the change fails/,
    );
    // ...and with the rollback they are gone.
    assert.equal((await eventsOf(tenantId)).length, 0);
    assert.equal((await deliveriesTo(endpoint.id)).length, 0);
    assert.equal(await server().db.read((m) => m.countBy(OutboxMessage, { channel: 'webhook' })), outboxBefore);
  });

  test('a refused change writes no event: demoting the last admin is 409 and announces nothing', async () => {
    const tenantId = await tenantWith(manage, 'Last Admin Inc', [admin]);
    await register(tenantId, ['membership.updated'], 'last-admin');
    const memberships = await call<{ items: { id: string }[] }>('GET', `/api/tenants/${tenantId}/memberships`, manage);
    const res = await call('PATCH', `/api/tenants/${tenantId}/memberships/${memberships.body.items[0]!.id}`, manage, {
      roles: ['tenant-user'],
    });
    assert.equal(res.status, 409);
    assert.equal((await eventsOf(tenantId)).filter((e) => e.type === 'membership.updated').length, 0);
  });

  test('the worker delivers a signed event that the receiver verifies with the specification’s algorithm; the attempt is logged', async () => {
    const tenantId = await tenantWith(manage, 'Delivered Inc', [admin]);
    const endpoint = await register(tenantId, ['membership.created', 'membership.deleted'], 'delivered');
    await server().db.transaction((m) =>
      recordAudit(m, {
        type: 'membership.created',
        actor: admin.id,
        tenantId,
        subject: member.id,
        data: { roles: ['tenant-user'] },
      }),
    );
    await deliver();
    const [request] = receivedAt('delivered');
    assert.ok(request, 'the receiver got the delivery');
    assert.equal(verifyStandardWebhook(endpoint.secret, request), true, 'the signature verifies');
    assert.equal(verifyStandardWebhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, request), false);
    assert.equal(request.headers['content-type'], 'application/json');
    const body = payloadOf(request);
    assert.equal(body.type, 'membership.created');
    assert.deepEqual(body.data, {
      tenant_id: tenantId,
      account_id: member.id,
      roles: ['tenant-user'],
      actor: admin.id,
    });
    const [event] = (await eventsOf(tenantId)).filter((e) => e.type === 'membership.created');
    assert.equal(request.headers['webhook-id'], event!.id);
    assert.equal(request.body, event!.payload, 'the body is exactly the stored payload');

    const log = await call<{ items: DeliveryView[] }>(
      'GET',
      `${hooks(tenantId)}/${endpoint.id}/deliveries`,
      adminToken,
    );
    assert.equal(log.status, 200);
    assert.equal(log.body.items.length, 1);
    assert.equal(log.body.items[0]!.status, 'succeeded');
    assert.equal(log.body.items[0]!.event_type, 'membership.created');
    const detail = await call<DeliveryDetail>(
      'GET',
      `${hooks(tenantId)}/${endpoint.id}/deliveries/${log.body.items[0]!.id}`,
      adminToken,
    );
    assert.equal(detail.body.attempt_log.length, 1);
    assert.equal(detail.body.attempt_log[0]!.response_status, 200);
    assert.equal(detail.body.attempt_log[0]!.response_body, 'ok');
    assert.equal(detail.body.attempt_log[0]!.error, null);
    assert.equal(detail.body.payload.type, 'membership.created');
  });

  test('a failing endpoint is retried with backoff; each attempt is recorded with its status and the start of the answer', async () => {
    const tenantId = await tenantWith(manage, 'Flaky Inc', [admin]);
    const endpoint = await register(tenantId, ['tenant.updated'], 'flaky');
    receiver.answers.push({ status: 503, body: `busy ${'x'.repeat(2000)}` });
    assert.equal((await call('PATCH', `/api/tenants/${tenantId}`, manage, { name: 'Flaky Ltd' })).status, 200);
    await deliver();
    let [delivery] = await deliveriesTo(endpoint.id);
    assert.equal(delivery!.status, 'pending');
    assert.equal(delivery!.attempts, 1);
    const message = await server().db.read((m) => m.findOneByOrFail(OutboxMessage, { id: delivery!.outboxId }));
    assert.equal(message.status, 'queued');
    assert.ok(message.nextAttemptAt.getTime() > Date.now() + 20_000, 'the retry waits (backoff)');
    await deliver(); // not due yet: nothing is sent
    assert.equal(receivedAt('flaky').length, 1);

    await deliver(60_000); // the clock past the backoff
    [delivery] = await deliveriesTo(endpoint.id);
    assert.equal(delivery!.status, 'succeeded');
    const detail = await call<DeliveryDetail>(
      'GET',
      `${hooks(tenantId)}/${endpoint.id}/deliveries/${delivery!.id}`,
      manage,
    );
    assert.deepEqual(
      detail.body.attempt_log.map((a) => [a.number, a.response_status]),
      [
        [1, 503],
        [2, 200],
      ],
    );
    assert.match(detail.body.attempt_log[0]!.error!, /HTTP 503/);
    assert.equal(detail.body.attempt_log[0]!.response_body!.length, 500, 'the answer is cut');
    const [first, second] = receivedAt('flaky');
    assert.equal(first!.headers['webhook-id'], second!.headers['webhook-id'], 'a retry keeps the webhook-id');
  });

  test('a redirect is not followed: the attempt fails and the redirect target gets nothing', async () => {
    const tenantId = await tenantWith(manage, 'Redirect Inc');
    const endpoint = await register(tenantId, ['tenant.updated'], 'redirect');
    receiver.answers.push({ status: 307, location: `${receiver.url}/redirected` });
    await call('PATCH', `/api/tenants/${tenantId}`, manage, { name: 'Redirect Ltd' });
    await deliver();
    const [delivery] = await deliveriesTo(endpoint.id);
    assert.equal(delivery!.status, 'pending');
    assert.equal(receivedAt('redirected').length, 0);
    const detail = await call<DeliveryDetail>(
      'GET',
      `${hooks(tenantId)}/${endpoint.id}/deliveries/${delivery!.id}`,
      manage,
    );
    assert.match(detail.body.attempt_log[0]!.error!, /redirects are not followed/);
  });

  test('replay sends the event again as a new delivery with the same webhook-id; a pending delivery cannot be replayed', async () => {
    const tenantId = await tenantWith(manage, 'Replay Inc');
    const endpoint = await register(tenantId, ['tenant.updated'], 'replay');
    await call('PATCH', `/api/tenants/${tenantId}`, manage, { name: 'Replay Ltd' });
    const [original] = await deliveriesTo(endpoint.id);
    const base = `${hooks(tenantId)}/${endpoint.id}/deliveries`;
    assert.equal((await call('POST', `${base}/${original!.id}/replay`, manage)).status, 409);
    await deliver();
    const replayed = await call<DeliveryView>('POST', `${base}/${original!.id}/replay`, manage);
    assert.equal(replayed.status, 202, JSON.stringify(replayed.body));
    assert.equal(replayed.body.replay_of, original!.id);
    assert.equal(replayed.body.status, 'pending');
    await deliver();
    const [first, again] = receivedAt('replay');
    assert.ok(again, 'the replay arrived');
    assert.equal(again.headers['webhook-id'], first!.headers['webhook-id']);
    assert.equal(again.body, first!.body);
    assert.ok(verifyStandardWebhook(endpoint.secret, again));
    const log = await call<{ items: DeliveryView[] }>('GET', base, manage);
    assert.deepEqual(
      log.body.items.map((d) => [d.id, d.status]),
      [
        [replayed.body.id, 'succeeded'],
        [original!.id, 'succeeded'],
      ],
      'newest first',
    );
  });

  test('rotation: during the overlap both secrets verify a delivery; after it only the new one does; the secret shows once', async () => {
    const tenantId = await tenantWith(manage, 'Rotating Inc', [admin]);
    const endpoint = await register(tenantId, ['tenant.updated'], 'rotate');
    const rotate = (overlap: number) =>
      call<{ secret: string; previous_secret_valid_until: string }>(
        'POST',
        `${hooks(tenantId)}/${endpoint.id}/rotate-secret`,
        adminToken,
        { overlap_seconds: overlap },
      );
    const rotated = await rotate(3600);
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.secret, endpoint.secret);
    assert.equal(rotated.headers.get('cache-control'), 'no-store');
    const read = await call<EndpointView>('GET', `${hooks(tenantId)}/${endpoint.id}`, adminToken);
    assert.equal(read.body.previous_secret_valid_until, rotated.body.previous_secret_valid_until);

    await call('PATCH', `/api/tenants/${tenantId}`, manage, { name: 'Rotating Ltd' });
    await deliver();
    const [during] = receivedAt('rotate');
    assert.equal(String(during!.headers['webhook-signature']).split(' ').length, 2);
    assert.ok(verifyStandardWebhook(endpoint.secret, during!), 'the old secret still verifies');
    assert.ok(verifyStandardWebhook(rotated.body.secret, during!), 'the new secret verifies');

    const final = await rotate(0); // no overlap: the secret before is dropped at once
    await call('PATCH', `/api/tenants/${tenantId}`, manage, { name: 'Rotating Group' });
    await deliver();
    const [, after] = receivedAt('rotate');
    assert.equal(String(after!.headers['webhook-signature']).split(' ').length, 1);
    assert.ok(verifyStandardWebhook(final.body.secret, after!));
    assert.ok(!verifyStandardWebhook(rotated.body.secret, after!));
  });

  test('ping: a webhook.ping reaches the endpoint whatever it subscribes to; a disabled endpoint gets nothing', async () => {
    const tenantId = await tenantWith(manage, 'Ping Inc');
    const endpoint = await register(tenantId, ['tenant.deleted'], 'ping');
    const pinged = await call<DeliveryView>('POST', `${hooks(tenantId)}/${endpoint.id}/ping`, manage);
    assert.equal(pinged.status, 202);
    assert.equal(pinged.body.event_type, 'webhook.ping');
    await deliver();
    const [ping] = receivedAt('ping');
    assert.deepEqual(payloadOf(ping!).data, { endpoint_id: endpoint.id });
    assert.ok(verifyStandardWebhook(endpoint.secret, ping!));

    const disabled = await call<EndpointView>('PATCH', `${hooks(tenantId)}/${endpoint.id}`, manage, { enabled: false });
    assert.equal(disabled.body.enabled, false);
    assert.equal((await call('POST', `${hooks(tenantId)}/${endpoint.id}/ping`, manage)).status, 409);
    await call('DELETE', `/api/tenants/${tenantId}`, manage);
    await deliver();
    assert.equal(receivedAt('ping').length, 1, 'a disabled endpoint is not sent tenant.deleted');
  });

  test('an operator’s endpoint (tenant_id null) receives every tenant’s events and account events; tenants’ endpoints never see account events', async () => {
    const operator = await server().tessera.webhooks.service.create(
      { kind: 'operator', actor: 'cli' },
      { url: `${receiver.url}/operator`, events: ['tenant.created', 'account.created'] },
    );
    try {
      const tenantId = await tenantWith(manage, 'Watched Inc');
      const tenantEndpoint = await register(tenantId, ['tenant.updated'], 'tenant-side');
      const someone = await person(server(), 'Newcomer');
      await deliver();
      assert.deepEqual(
        receivedAt('operator')
          .map((r) => [payloadOf(r).type, payloadOf(r).data.tenant_id ?? payloadOf(r).data.account_id])
          .sort(), // deliveries carry no order promise
        [
          ['account.created', someone.id],
          ['tenant.created', tenantId],
        ],
      );
      assert.equal((await deliveriesTo(tenantEndpoint.id)).length, 0);
      assert.ok(receivedAt('operator').every((r) => verifyStandardWebhook(operator.secret, r)));
      // A tenant's API does not show the operators' endpoint.
      assert.equal((await call('GET', `${hooks(tenantId)}/${operator.id}`, manage)).status, 404);
    } finally {
      await server().tessera.webhooks.service.remove({ kind: 'operator', actor: 'cli' }, operator.id);
    }
  });

  test('accepting an invitation announces invitation.accepted and membership.created; removing the member membership.deleted', async () => {
    const tenantId = await tenantWith(manage, 'Joining Inc', [admin]);
    const endpoint = await register(
      tenantId,
      ['invitation.accepted', 'membership.created', 'membership.deleted'],
      'joining',
    );
    const joiner = await person(server(), 'Joiner');
    const issued = await call<{ id: string; token: string; created_by: string }>(
      'POST',
      `/api/tenants/${tenantId}/invitations/tokens`,
      manage,
      {
        roles: ['tenant-user'],
      },
    );
    await server().tessera.redemption.accept({ token: issued.body.token }, joiner.id);
    const memberships = await call<{ items: { id: string; source: { jti: string } }[] }>(
      'GET',
      `/api/tenants/${tenantId}/memberships?account_id=${joiner.id}`,
      manage,
    );
    const membershipId = memberships.body.items[0]!.id;
    assert.equal(
      (await call('DELETE', `/api/tenants/${tenantId}/memberships/${membershipId}`, adminToken)).status,
      204,
    );
    await deliver();
    const received = Object.fromEntries(receivedAt('joining').map((r) => [payloadOf(r).type, payloadOf(r).data]));
    assert.deepEqual(received, {
      'invitation.accepted': {
        invitation_id: issued.body.id,
        tenant_id: tenantId,
        roles: ['tenant-user'],
        actor: joiner.id,
        account_id: joiner.id,
        invitation: { id: issued.body.id, tenant_id: tenantId, metadata: {} },
      },
      'membership.created': {
        tenant_id: tenantId,
        account_id: joiner.id,
        membership_id: membershipId,
        roles: ['tenant-user'],
        invitation_id: issued.body.id,
        source: {
          type: 'invitation',
          ref: issued.body.id,
          jti: memberships.body.items[0]!.source.jti,
          granted_by: issued.body.created_by,
        },
        actor: joiner.id,
      },
      'membership.deleted': {
        tenant_id: tenantId,
        account_id: joiner.id,
        membership_id: membershipId,
        reason: 'removed',
        actor: admin.id,
      },
    });
    assert.ok(receivedAt('joining').every((r) => verifyStandardWebhook(endpoint.secret, r)));
  });

  test('the log forgets deliveries that ended over 30 days ago, with their attempts and events; pending ones stay', async () => {
    const tenantId = await tenantWith(manage, 'Old Log Inc');
    const endpoint = await register(tenantId, ['tenant.updated'], 'old-log');
    await call('PATCH', `/api/tenants/${tenantId}`, manage, { name: 'Old Log Ltd' });
    await deliver();
    receiver.answers.push({ status: 500 });
    await call('PATCH', `/api/tenants/${tenantId}`, manage, { name: 'Old Log Group' });
    await deliver();
    const [ended, pending] = await deliveriesTo(endpoint.id);
    assert.deepEqual([ended!.status, pending!.status], ['succeeded', 'pending']);

    const later = (days: number) =>
      new WebhookService(server().db, testBox, policyFor(false), {
        now: () => new Date(Date.now() + days * 24 * 3600 * 1000),
      });
    assert.equal(await later(29).deleteEnded(), 0);
    assert.ok((await later(31).deleteEnded()) >= 1);
    assert.deepEqual(
      (await deliveriesTo(endpoint.id)).map((d) => d.id),
      [pending!.id],
    );
    const attempts = await server().db.read((m) => m.countBy(WebhookAttempt, { deliveryId: ended!.id }));
    assert.equal(attempts, 0);
    assert.deepEqual(
      (await eventsOf(tenantId)).map((e) => e.id),
      [pending!.eventId],
    );
  });

  test('invitation events: created and revoked with the change; expired once, by the sweep, however often it runs', async () => {
    const tenantId = await tenantWith(manage, 'Invites Inc');
    const endpoint = await register(
      tenantId,
      ['invitation.created', 'invitation.revoked', 'invitation.expired'],
      'invites',
    );
    const tokens = `/api/tenants/${tenantId}/invitations/tokens`;
    const revoked = await call<{ id: string }>('POST', tokens, manage, {});
    const expiring = await call<{ id: string }>('POST', tokens, manage, {});
    assert.equal((await call('DELETE', `${tokens}/${revoked.body.id}`, manage)).status, 204);
    await server().db.write((m) =>
      m.update(Invitation, { id: expiring.body.id }, { expiresAt: new Date(Date.now() - 60_000) }),
    );
    assert.equal(await recordExpiredInvitations(server().db), 1);
    assert.equal(await recordExpiredInvitations(server().db), 0);
    const events = (await eventsOf(tenantId)).map((e) => {
      const { type, data } = JSON.parse(e.payload) as { type: string; data: { invitation_id: string } };
      return [type, data.invitation_id];
    });
    assert.deepEqual(
      events.sort(),
      [
        ['invitation.created', expiring.body.id],
        ['invitation.created', revoked.body.id],
        ['invitation.expired', expiring.body.id],
        ['invitation.revoked', revoked.body.id],
      ].sort(),
    );
    assert.equal((await deliveriesTo(endpoint.id)).length, 4);
    for (const e of await eventsOf(tenantId))
      assert.doesNotMatch(e.payload, /token|secret|https?:/i, 'no tokens or links');
  });
});

describeWithServer(
  'Webhooks in production: only https, never the server’s own network',
  (server: () => TestServer) => {
    const { call, tenantWith } = apiClient(server);
    let manage: string;
    let receiver: WebhookReceiver;
    before(async () => {
      manage = await clientToken(server(), { manage: true });
      receiver = await WebhookReceiver.start();
    });
    after(() => receiver.close());

    test('registering a loopback, private, metadata or plain-http endpoint is refused with 422', async () => {
      const tenantId = await tenantWith(manage, 'Production Inc');
      const refusals: [string, string][] = [
        [receiver.url, 'https_required'],
        ['https://127.0.0.1:8443/hooks', 'address_not_allowed'],
        ['https://[::1]/hooks', 'address_not_allowed'],
        ['https://10.1.2.3/hooks', 'address_not_allowed'],
        ['https://169.254.169.254/latest/meta-data/', 'address_not_allowed'],
        ['https://localhost/hooks', 'address_not_allowed'],
      ];
      for (const [url, error] of refusals) {
        const res = await call<{ error: string }>('POST', `/api/tenants/${tenantId}/webhooks`, manage, {
          url,
          events: ['tenant.updated'],
        });
        assert.equal(res.status, 422, url);
        assert.equal(res.body.error, error, url);
      }
    });

    test('a loopback endpoint saved before (in development) gets no request: the delivery is refused and logged', async () => {
      const tenantId = await tenantWith(manage, 'Legacy Inc');
      // As if registered while the server ran in development.
      const development = new WebhookService(server().db, testBox, policyFor(false));
      const endpoint = await development.create(
        { kind: 'operator', actor: 'cli' },
        { url: `${receiver.url}/legacy`, events: ['tenant.updated'] },
      );
      const transport = new WebhookTransport(server().db, testBox, policyFor(true));
      await call('PATCH', `/api/tenants/${tenantId}`, manage, { name: 'Legacy Ltd' });
      await new DeliveryWorker(server().db, { webhook: transport }, silent, {
        now: () => new Date(Date.now() + 2000),
      }).runOnce();
      assert.equal(receiver.received.length, 0);
      const [delivery] = await server().db.read((m) => m.findBy(WebhookDelivery, { endpointId: endpoint.id }));
      const attempts = await server().db.read((m) => m.findBy(WebhookAttempt, { deliveryId: delivery!.id }));
      assert.equal(attempts.length, 1);
      assert.equal(attempts[0]!.responseStatus, null);
      assert.match(attempts[0]!.error!, /https/);
    });

    test('a name that resolves to loopback at delivery time (DNS rebinding) is refused when connecting', async () => {
      const tenantId = await tenantWith(manage, 'Rebound Inc');
      const port = new URL(receiver.url).port;
      // Saved while the name pointed at a public address.
      const saving = new WebhookService(server().db, testBox, policyFor(true), {
        resolve: async () => [{ address: '93.184.215.14', family: 4 }],
      });
      const endpoint = await saving.create(
        { kind: 'tenant', caller: { kind: 'client', clientId: 'test', manage: true }, tenantId },
        { url: `https://rebind.example.test:${port}/hooks`, events: ['tenant.updated'] },
      );
      // Now the name answers with the receiver's loopback address.
      const rebound = guardedLookup(policyFor(true), async () => [{ address: '127.0.0.1', family: 4 }]);
      const transport = new WebhookTransport(server().db, testBox, policyFor(true), { lookup: rebound });
      await call('PATCH', `/api/tenants/${tenantId}`, manage, { name: 'Rebound Ltd' });
      await new DeliveryWorker(server().db, { webhook: transport }, silent, {
        now: () => new Date(Date.now() + 2000),
      }).runOnce();
      assert.equal(receiver.received.length, 0);
      const [delivery] = await server().db.read((m) => m.findBy(WebhookDelivery, { endpointId: endpoint.id }));
      const [attempt] = await server().db.read((m) => m.findBy(WebhookAttempt, { deliveryId: delivery!.id }));
      assert.match(attempt!.error!, /resolves to an address inside/);
    });
  },
  { NODE_ENV: 'production', SECRET_ENCRYPTION_KEYS: 'k'.repeat(32) },
);
