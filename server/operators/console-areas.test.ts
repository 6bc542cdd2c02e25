// The operator console's areas beyond clients and accounts, through HTTP on both databases: operators (the
// last one stays), signing keys, the outbox (never a message's text), webhooks (secret once, deliveries,
// replay), API resources, global connections (the secret write-only, in use refused) and tenant search.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Connection, Identity, OutboxMessage, SigningKey } from '../db/entities/index.js';
import { DeliveryWorker, type DeliveryLogger } from '../delivery/worker.js';
import { linkIn } from '../../test/support/accounts.js';
import { openConsole, postForm } from '../../test/support/console.js';
import { describeWithServer } from '../../test/support/server.js';
import { type Person, person } from '../../test/support/tokens.js';
import type { Page } from '../../test/support/user-agent.js';
import { verifyStandardWebhook, WebhookReceiver } from '../../test/support/webhook-receiver.js';

const silent: DeliveryLogger = { info() {}, warn() {}, error() {} };
const refusedOnPage = (page: Page, status: number, text: RegExp) => {
  assert.equal(page.status, status);
  assert.match(page.html, /class="alert alert-error" role="alert"/);
  assert.match(page.html, text);
};

describeWithServer('operator console: operators, keys, outbox, webhooks, APIs, connections, tenants', (server) => {
  let operator: Person;
  let candidate: Person;
  let receiver: WebhookReceiver;
  const open = (path: string) => openConsole(server(), operator, path);

  before(async () => {
    [operator, candidate] = await Promise.all([person(server(), 'Opal Operator'), person(server(), 'Cora')]);
    await server().tessera.operators.grant('test', { accountId: operator.id });
    receiver = await WebhookReceiver.start();
  });
  after(() => receiver.close());

  test('the operator makes an account an operator by e-mail, removes it after confirming; unknown people are said', async () => {
    const { browser, page } = await open('/admin/operators');
    assert.match(page.html, new RegExp(`href="/admin/accounts/${operator.id}">Opal Operator</a>`));
    const granted = await browser.submit(page, '/admin/operators', { who: candidate.email.toUpperCase() });
    assert.match(granted.html, /The account is an operator now/);
    assert.match(
      granted.html,
      new RegExp(`data-label="Granted by" class="id"><a href="/admin/accounts/${operator.id}">Opal Operator</a>`),
      'who granted it, by name',
    );
    assert.equal(await server().tessera.operators.isOperator(candidate.id), true);

    refusedOnPage(
      await browser.submit(page, '/admin/operators', { who: 'nobody@example.test' }),
      422,
      /no such account/,
    );
    refusedOnPage(await browser.submit(page, '/admin/operators', { who: 'neither an id nor an e-mail' }), 400, /email/);

    const asked = await browser.submit(granted, `/admin/operators/${candidate.id}/remove`);
    assert.match(asked.html, /Remove the operator role of Cora\?/);
    assert.equal(await server().tessera.operators.isOperator(candidate.id), true, 'nothing before the confirmation');
    const removed = await browser.submit(asked, `/admin/operators/${candidate.id}/remove`);
    assert.match(removed.html, /The operator role is removed/);
    assert.equal(await server().tessera.operators.isOperator(candidate.id), false);
  });

  test('the last operator cannot be removed: the API’s 409 is said on the page and the role stays', async () => {
    const others = (await server().tessera.operators.list({ limit: 100 })).items.filter(
      (o) => o.account_id !== operator.id,
    );
    for (const o of others) await server().tessera.operators.revoke('test', o.account_id);
    const { browser, page } = await open('/admin/operators');
    const asked = await browser.submit(page, `/admin/operators/${operator.id}/remove`);
    const refused = await browser.submit(asked, `/admin/operators/${operator.id}/remove`);
    refusedOnPage(refused, 409, /This is the last operator/);
    assert.equal(await server().tessera.operators.isOperator(operator.id), true);
    for (const o of others) await server().tessera.operators.grant('test', { accountId: o.account_id });
  });

  test('signing keys: listed with status and algorithm; a rotation introduces then promotes; retiring asks first', async () => {
    const { browser, page } = await open('/admin/keys');
    assert.match(page.html, /ES256/);
    assert.match(page.html, /RS256/);
    const introduced = await browser.submit(page, '/admin/keys/rotate');
    assert.match(introduced.html, /Next keys are introduced/);
    assert.equal(await server().db.read((m) => m.countBy(SigningKey, { status: 'next' })), 2);
    const promoted = await browser.submit(introduced, '/admin/keys/rotate');
    assert.match(promoted.html, /The next keys are current now/);
    assert.match(promoted.html, />Previous</);
    assert.match(
      promoted.html,
      /May be retired from[\s\S]*<time datetime="\d{4}-/,
      'a previous key shows its retire date',
    );

    const asked = await browser.submit(promoted, '/admin/keys/retire');
    assert.match(asked.html, /Retire the previous signing keys\?/);
    const retired = await browser.submit(asked, '/admin/keys/retire');
    assert.match(retired.html, /No previous key has reached the end of its retention yet/);
    assert.ok((await server().db.read((m) => m.countBy(SigningKey, { status: 'previous' }))) >= 2, 'kept');
  });

  test('the outbox lists messages without their text, filters by status and recipient, and resends after confirming', async () => {
    const { browser } = await open(`/admin/accounts/${candidate.id}`);
    await browser.submit(await browser.follow(`/admin/accounts/${candidate.id}`), '/password-reset');
    const link = await linkIn(server(), candidate.email, '/reset-password/new');
    const message = await server().db.read((m) => m.findOneByOrFail(OutboxMessage, { recipient: candidate.email }));
    const page = await browser.follow(`/admin/outbox?to=${encodeURIComponent(candidate.email)}`);
    assert.match(page.html, /Reset your password/);
    assert.ok(!page.html.includes(link) && !page.html.includes(message.bodyText), 'never the text or its link');
    assert.doesNotMatch((await browser.follow('/admin/outbox?status=failed')).html, new RegExp(candidate.email));

    await server().db.transaction((m) => m.update(OutboxMessage, { id: message.id }, { status: 'failed' }));
    const failed = await browser.follow(`/admin/outbox?status=failed&to=${encodeURIComponent(candidate.email)}`);
    const asked = await browser.submit(failed, `/admin/outbox/${message.id}/resend`);
    assert.match(asked.html, new RegExp(`Resend the message to ${candidate.email}\\?`));
    assert.ok(!asked.html.includes(link));
    const resent = await browser.submit(asked, `/admin/outbox/${message.id}/resend`);
    assert.match(resent.html, /The message is queued again/);
    const again = await browser.request(`/admin/outbox/${message.id}/resend`, {
      form: { _csrf: /name="_csrf" value="([^"]+)"/.exec(asked.html)![1]!, confirm: 'yes' },
    });
    refusedOnPage(again, 409, /queued already/);
  });

  test('a webhook endpoint: the secret once, a delivery signed with it in the log with its attempt, replay, rotate, delete', async () => {
    const { browser, page } = await open('/admin/webhooks');
    const created = await browser.submit(page, '/admin/webhooks', {
      url: `${receiver.url}/console`,
      events: 'tenant.created',
      description: 'Billing sync',
    });
    assert.match(created.html, /The endpoint is registered/);
    const secret = /id="webhook-secret" type="text" readonly value="([^"]+)"/.exec(created.html)?.[1];
    if (!secret?.startsWith('whsec_')) return assert.fail('no secret shown');
    const endpointId = /\/admin\/webhooks\/([0-9a-f-]{36})\/rotate/.exec(created.html)![1]!;
    const shown = await browser.follow(`/admin/webhooks/${endpointId}`);
    assert.ok(!shown.html.includes(secret), 'the secret is not shown again');
    assert.match(shown.html, /webhook\.created/, 'its audit trail');

    const tenants = await browser.follow('/admin/tenants');
    await postForm(browser, tenants, '/admin/tenants', { name: 'Hooked', first_admin: 'none' });
    await new DeliveryWorker(server().db, { webhook: server().tessera.webhooks.transport }, silent).runOnce();
    const [received] = await receiver.waitFor(1);
    assert.ok(verifyStandardWebhook(secret, received!));
    const log = await browser.follow(`/admin/webhooks/${endpointId}`);
    assert.match(log.html, /<code>tenant\.created<\/code>/);
    assert.match(log.html, />Delivered</);
    const deliveryId = new RegExp(`/admin/webhooks/${endpointId}/deliveries/([0-9a-f-]{36})`).exec(log.html)![1]!;
    const delivery = await browser.follow(`/admin/webhooks/${endpointId}/deliveries/${deliveryId}`);
    assert.match(delivery.html, /<code>200<\/code>/, 'the attempt with its answer');
    assert.match(delivery.html, /&quot;type&quot;: &quot;tenant\.created&quot;/);

    const replayed = await browser.submit(delivery, `/deliveries/${deliveryId}/replay`);
    assert.match(replayed.html, /The delivery is queued again/);
    await new DeliveryWorker(server().db, { webhook: server().tessera.webhooks.transport }, silent).runOnce();
    const [, second] = await receiver.waitFor(2);
    assert.equal(second!.headers['webhook-id'], received!.headers['webhook-id'], 'a replay keeps the webhook-id');

    const rotated = await browser.submit(
      await browser.follow(`/admin/webhooks/${endpointId}`),
      `/admin/webhooks/${endpointId}/rotate`,
    );
    const fresh = /id="webhook-secret" type="text" readonly value="([^"]+)"/.exec(rotated.html)?.[1];
    assert.ok(fresh && fresh !== secret);
    assert.match(rotated.html, /Previous secret signs until/);
    const pinged = await browser.submit(rotated, `/admin/webhooks/${endpointId}/ping`);
    assert.match(pinged.html, /A webhook\.ping event is queued/);
    assert.match(pinged.html, /<code>webhook\.ping<\/code>/, 'in the delivery log');
    const disabled = await browser.submit(pinged, `/admin/webhooks/${endpointId}/disable`);
    assert.match(disabled.html, /The endpoint is disabled/);
    assert.match(disabled.html, /webhook\.secret_rotated/);
    assert.match(disabled.html, /webhook\.updated/);
    const pingRefused = await browser.submit(disabled, `/admin/webhooks/${endpointId}/ping`);
    assert.ok(
      pingRefused.status >= 400 && pingRefused.status < 500,
      `a disabled endpoint is not pinged (${pingRefused.status})`,
    );
    assert.match(pingRefused.html, /class="alert alert-error"/);
    const asked = await browser.submit(disabled, `/admin/webhooks/${endpointId}/delete`);
    assert.match(asked.html, /Delete the endpoint http:\/\/127\.0\.0\.1/);
    const deleted = await browser.submit(asked, `/admin/webhooks/${endpointId}/delete`);
    assert.match(deleted.html, /The endpoint is deleted/);
    assert.equal((await browser.follow(`/admin/webhooks/${endpointId}`)).status, 404);
  });

  test('a webhook URL the API refuses, or no event, is said on the form with a 4xx', async () => {
    const { browser, page } = await open('/admin/webhooks');
    const ftp = await browser.submit(page, '/admin/webhooks', { url: 'ftp://x.example', events: 'tenant.created' });
    refusedOnPage(ftp, 422, /https/i);
    const none = await browser.submit(page, '/admin/webhooks', { url: `${receiver.url}/x` });
    refusedOnPage(none, 400, /at least one event/);
  });

  test('an API resource: registered, found by audience, changed, a bad lifetime refused on the page, deleted after confirming', async () => {
    const { browser, page } = await open('/admin/resources');
    const created = await postForm(browser, page, '/admin/resources', {
      audience: 'https://ledger.example/api',
      name: 'Ledger API',
      permissions: 'invoices:read\ninvoices:write',
      access_token_ttl: '600',
      signing_alg: 'RS256',
    });
    assert.match(created.html, /The API is registered/);
    const id = /action="\/admin\/resources\/([0-9a-f-]{36})\/delete"/.exec(created.html)![1]!;
    const stored = await server().tessera.resources.get(id);
    assert.deepEqual(
      [stored.accessTokenTtl, stored.signingAlg, stored.permissions],
      [600, 'RS256', ['invoices:read', 'invoices:write']],
    );
    assert.match((await browser.follow('/admin/resources?audience=https://ledger.example/api')).html, />Ledger API</);
    assert.doesNotMatch((await browser.follow('/admin/resources?audience=https://other.example')).html, />Ledger API</);

    const saved = await browser.submit(created, `/admin/resources/${id}`, {
      name: 'Ledger',
      permissions: 'invoices:read',
      access_token_ttl: '900',
      signing_alg: 'ES256',
      public: 'yes',
    });
    assert.match(saved.html, /The API&#39;s settings are saved|The API's settings are saved/);
    assert.equal((await server().tessera.resources.get(id)).isPublic, true);
    const refused = await browser.submit(saved, `/admin/resources/${id}`, {
      name: 'Ledger',
      access_token_ttl: '5',
      signing_alg: 'ES256',
    });
    assert.ok(refused.status >= 400 && refused.status < 500, `status ${refused.status}`);
    assert.match(refused.html, /class="alert alert-error"/);
    assert.equal((await server().tessera.resources.get(id)).accessTokenTtl, 900);
    assert.match(refused.html, /resource\.updated/, 'its audit trail');

    const asked = await browser.submit(saved, `/admin/resources/${id}/delete`);
    assert.match(asked.html, /Delete Ledger\?/);
    const deleted = await browser.submit(asked, `/admin/resources/${id}/delete`);
    assert.match(deleted.html, /The API is deleted/);
    await assert.rejects(server().tessera.resources.get(id));
  });

  test('a global connection: the secret is write-only, disable and enable, deleting one in use is refused (409) on the page', async () => {
    const { browser } = await open('/admin/connections/new');
    const form = await browser.follow('/admin/connections/new');
    const fields = {
      slug: 'corp-sso',
      kind: 'oidc',
      name: 'Corp SSO',
      issuer: 'https://idp.example',
      client_id: 'tessera',
    };
    const created = await browser.submit(form, '/admin/connections', {
      ...fields,
      client_secret: 'upstream-secret-value',
    });
    assert.match(created.html, /The connection is added/);
    assert.match(created.html, /\/connections\/corp-sso\/callback/);
    assert.ok(!created.html.includes('upstream-secret-value'), 'never shown back');
    const row = await server().db.read((m) => m.findOneByOrFail(Connection, { slug: 'corp-sso' }));

    const refusedCreate = await browser.submit(form, '/admin/connections', {
      ...fields,
      slug: 'second',
      issuer: '',
      client_secret: 'typed-secret',
    });
    refusedOnPage(refusedCreate, 400, /oidc needs issuer/);
    assert.ok(!refusedCreate.html.includes('typed-secret'), 'the typed secret is not put back in the page');

    const kept = await browser.submit(created, `/admin/connections/${row.id}`, {
      issuer: fields.issuer,
      client_id: fields.client_id,
      name: 'Corp',
      client_secret: '',
    });
    assert.match(kept.html, /settings are saved/);
    const after = await server().db.read((m) => m.findOneByOrFail(Connection, { id: row.id }));
    assert.equal(after.name, 'Corp');
    assert.equal(after.secret, row.secret, 'an empty secret box keeps the secret');

    const disabled = await browser.submit(kept, `/admin/connections/${row.id}/disable`);
    assert.match(disabled.html, /The connection is disabled/);
    const enabled = await browser.submit(disabled, `/admin/connections/${row.id}/enable`);
    assert.match(enabled.html, /The connection is enabled/);

    const now = new Date();
    await server().db.transaction((m) =>
      m.insert(Identity, {
        id: crypto.randomUUID(),
        connectionId: row.id,
        subject: 'up-1',
        accountId: candidate.id,
        email: null,
        emailVerified: false,
        createdAt: now,
        lastUsedAt: now,
      }),
    );
    const asked = await browser.submit(enabled, `/admin/connections/${row.id}/delete`);
    assert.match(asked.html, /Delete Corp\?/);
    refusedOnPage(await browser.submit(asked, `/admin/connections/${row.id}/delete`), 409, /disable it instead/);
    assert.equal(await server().db.read((m) => m.countBy(Connection, { id: row.id })), 1);
  });

  test('tenants are searched by name or slug and listed with their member count', async () => {
    const { browser, page } = await open('/admin/tenants');
    await postForm(browser, page, '/admin/tenants', {
      name: 'Zephyr Works',
      first_admin: 'account',
      account_id: candidate.id,
    });
    const found = await browser.follow('/admin/tenants?q=zephyr');
    assert.match(found.html, />Zephyr Works<\/a>[\s\S]*?data-label="Members">1</);
    assert.doesNotMatch(found.html, />Hooked</);
    assert.match((await browser.follow('/admin/tenants?q=no-such-tenant')).html, /No tenant matches this search/);
  });
});
