// Hostile input that once answered 500: bodies that claim a compression they lack, JSON nested
// thousands deep, and valid long names that made mail subjects overflow their column.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { before, test } from 'node:test';
import { Membership, OutboxMessage } from '../server/db/entities/index.js';
import { insertMembership } from '../server/tenants/service.js';
import { apiClient } from './support/api.js';
import { describeWithServer, type TestServer } from './support/server.js';
import { clientToken, type Person, userToken } from './support/tokens.js';
import { type Page, UserAgent } from './support/user-agent.js';

/** `{"a":{"a":…}}` nested `depth` deep, as text: built without recursion. */
const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describeWithServer('hostile input', (server: () => TestServer) => {
  const { call, tenantWith } = apiClient(server);
  let manage: string;

  before(async () => {
    manage = await clientToken(server(), { manage: true });
  });

  const post = (path: string, headers: Record<string, string>, body: string | Uint8Array) =>
    fetch(`${server().url}${path}`, {
      method: 'POST',
      headers: { accept: 'application/json', ...headers },
      body: body as RequestInit['body'],
    });

  test('a body that claims gzip, deflate or br but is not compressed is a 4xx on pages, the API and the provider, before authentication', async () => {
    const targets: [string, string, string][] = [
      ['/reset-password', 'application/x-www-form-urlencoded', 'email=a%40b.test'],
      ['/reset-password', 'application/json', '{"email":"a@b.test"}'],
      ['/api/tenants', 'application/json', '{"name":"Acme"}'],
      ['/token', 'application/x-www-form-urlencoded', 'grant_type=client_credentials'],
      ['/token/introspection', 'application/x-www-form-urlencoded', 'token=x'],
    ];
    for (const [path, type, body] of targets) {
      for (const encoding of ['gzip', 'deflate', 'br']) {
        const res = await post(path, { 'content-type': type, 'content-encoding': encoding }, body);
        assert.ok(res.status >= 400 && res.status < 500, `${encoding} to ${path} (${type}) answered ${res.status}`);
      }
    }
  });

  test('a body that is really gzip-compressed is still read', async () => {
    const res = await post(
      '/api/tenants',
      { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${manage}` },
      gzipSync('{"name":"Zipped"}'),
    );
    assert.equal(res.status, 201);
  });

  test('JSON nested thousands deep in tenant attributes or invitation metadata is a 400, and nothing is stored', async () => {
    const tenantId = await tenantWith(manage, 'Deep Co');
    const attempts: [string, string, string][] = [
      ['POST', '/api/tenants', `{"name":"Deep","attributes":${deepJson(5000)}}`],
      ['PATCH', `/api/tenants/${tenantId}`, `{"attributes":${deepJson(5000)}}`],
      ['POST', `/api/tenants/${tenantId}/invitations/tokens`, `{"metadata":${deepJson(5000)}}`],
      [
        'POST',
        `/api/tenants/${tenantId}/invitations/tokens`,
        `{"metadata":{"x":[${'['.repeat(4000)}${']'.repeat(4000)}]}}`,
      ],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call(method, path, manage, body);
      assert.equal(res.status, 400, `${method} ${path}: ${JSON.stringify(res.body)}`);
    }
    assert.equal(
      (await call<{ items: unknown[] }>('GET', `/api/tenants/${tenantId}/invitations/tokens`, manage)).body.items
        .length,
      0,
    );
    assert.deepEqual((await call('GET', `/api/tenants/${tenantId}`, manage)).body.attributes, {});
  });

  test('attributes and metadata nested a few levels deep are kept as sent; too deep or too many keys is a 400 that says so', async () => {
    const tenantId = await tenantWith(manage, 'Shallow Co');
    const attributes = { plan: { tier: 'gold', seats: [1, 2, { x: null }] } };
    const ok = await call('PATCH', `/api/tenants/${tenantId}`, manage, { attributes });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.attributes, attributes);
    const tooDeep = await call<{ error_description: string }>(
      'PATCH',
      `/api/tenants/${tenantId}`,
      manage,
      `{"attributes":${deepJson(20)}}`,
    );
    assert.equal(tooDeep.status, 400);
    assert.match(tooDeep.body.error_description, /attributes.*deep/);
    const manyKeys = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, i]));
    const tooMany = await call<{ error_description: string }>(
      'POST',
      `/api/tenants/${tenantId}/invitations/tokens`,
      manage,
      { metadata: manyKeys },
    );
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.error_description, /metadata.*keys/);
  });

  test('deep JSON anywhere in a page or API body is a 400 before any handler runs', async () => {
    for (const path of ['/reset-password', '/api/tenants']) {
      const res = await post(
        path,
        { 'content-type': 'application/json', authorization: `Bearer ${manage}` },
        `{"email":${deepJson(10_000)}}`,
      );
      assert.equal(res.status, 400, path);
    }
  });

  describe200CharNames(server, () => manage);
});

/** Names at the limits the API allows (200 characters) must still let an invitation be mailed and decided. */
function describe200CharNames(server: () => TestServer, manage: () => string): void {
  const { call } = apiClient(server);
  const longName = (who: string) => `${who} ${'W'.repeat(200 - who.length - 1)}`;

  async function longNamed(who: string): Promise<Person> {
    const email = `${who.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const password = 'correct horse battery staple';
    const account = await server().tessera.accounts.createAccount({
      email,
      name: longName(who),
      password,
      verified: true,
    });
    return { id: account.id, email, password };
  }

  /** Opens the mailed link, signs in and answers the invitation. */
  async function decide(link: string, who: Person, decision: 'accept' | 'decline'): Promise<Page> {
    const browser = new UserAgent(server().url);
    const landing = await browser.follow(link);
    const signInHref = /href="([^"]+)"[^>]*>Sign in</.exec(landing.html)?.[1];
    assert.ok(signInHref, `no sign-in link on the landing page: ${landing.status} ${landing.html.slice(0, 500)}`);
    const login = await browser.follow(signInHref.replace(/&amp;/g, '&'));
    const page = await browser.submit(login, /\/login$/, { email: who.email, password: who.password });
    return browser.submit(page, /\/invitation$/, { decision });
  }

  const outboxTo = (recipient: string) =>
    server().db.read((m) => m.find(OutboxMessage, { where: { recipient }, order: { createdAt: 'ASC' } }));

  test('an invitation between a 200-character inviter and tenant is mailed, joined and declined, and the inviter is told each time', async () => {
    const inviter = await longNamed('Inviter');
    const tenant = await call<{ id: string }>('POST', '/api/tenants', manage(), { name: longName('Tenant') });
    assert.equal(tenant.status, 201);
    await server().db.transaction((m) => insertMembership(m, tenant.body.id, inviter.id, ['tenant-admin'], null));
    const token = await userToken(server(), inviter);
    for (const decision of ['accept', 'decline'] as const) {
      const invitee = await longNamed(decision === 'accept' ? 'Joiner' : 'Decliner');
      const created = await call('POST', `/api/tenants/${tenant.body.id}/invitations/tokens`, token, {
        email: invitee.email,
        deliver: 'email',
        notify_inviter: true,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const [mail] = await outboxTo(invitee.email);
      assert.ok(mail, 'the invitation is mailed');
      assert.ok(mail.subject.length <= 300);
      assert.match(mail.subject, /^Inviter W+… invited you to join Tenant W+…$/);
      const link = /https?:\/\/\S+\/tenants\/invitation-tokens\/[\w-]+\.[\w-]+\.[\w-]+/.exec(mail.bodyText)?.[0];
      assert.ok(link);
      const done = await decide(link, invitee, decision);
      assert.ok(done.status < 500, `${decision}: ${done.status}`);
      const joined = await server().db.read((m) =>
        m.countBy(Membership, { tenantId: tenant.body.id, accountId: invitee.id }),
      );
      assert.equal(joined, decision === 'accept' ? 1 : 0);
      // Both notices may carry the same second (MySQL's DATETIME): look for this decision's, not the last one.
      const subjects = (await outboxTo(inviter.email)).map((mail) => mail.subject);
      const expected =
        decision === 'accept' ? /^Joiner W+… joined Tenant W+…$/ : /^Decliner W+… declined to join Tenant W+…$/;
      assert.ok(
        subjects.some((subject) => expected.test(subject)),
        `the inviter is told: ${subjects.join(' | ')}`,
      );
    }
  });
}
