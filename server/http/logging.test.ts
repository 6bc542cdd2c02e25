import assert from 'node:assert/strict';
import { test } from 'node:test';
import Koa from 'koa';
import { accessLog, redactUrl } from './logging.js';
import { captureLogs, send } from './test-support.js';

const jwt = 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJqdGkiOiJhYmMifQ.c2lnbmF0dXJlLWJ5dGVz';

test('redactUrl keeps parameter names but hides every value not known to be harmless', () => {
  const url =
    '/auth?client_id=app&response_type=code&scope=openid%20tenants&code=C&state=S&nonce=N&id_token_hint=H&login_hint=a%40b.c' +
    '&token=T&invitation=I&code_challenge=CC&redirect_uri=https%3A%2F%2Fapp%2Fcb%3Fx%3D1&post_logout_redirect_uri=P&tenant_hint=acme&search=a%40b.c';
  assert.equal(
    redactUrl(url),
    '/auth?client_id=app&response_type=code&scope=openid%20tenants&code=[redacted]&state=[redacted]&nonce=[redacted]' +
      '&id_token_hint=[redacted]&login_hint=[redacted]&token=[redacted]&invitation=[redacted]&code_challenge=[redacted]' +
      '&redirect_uri=[redacted]&post_logout_redirect_uri=[redacted]&tenant_hint=[redacted]&search=[redacted]',
  );
});

test('redactUrl hides invitation tokens, short-link handles, JWTs and long random tokens in the path', () => {
  assert.equal(redactUrl(`/tenants/invitation-tokens/${jwt}`), '/tenants/invitation-tokens/[redacted]');
  assert.equal(redactUrl('/tenants/invitation-tokens/short'), '/tenants/invitation-tokens/[redacted]');
  assert.equal(redactUrl('/i/abcDEF123'), '/i/[redacted]');
  assert.equal(redactUrl(`/session/${jwt}/x`), '/session/[redacted]/x');
  assert.equal(redactUrl('/reset/Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4MTIzNDU2'), '/reset/[redacted]');
});

test('redactUrl hides invitation tokens and handles in every spelling the router accepts, and more', () => {
  const handle = 'C6g2H6p0teVhrWSklRCLvg';
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const handles = [
    `/I/${handle}`,
    `/i/${handle}/`,
    `/i/%43${handle.slice(1)}`,
    `/i%2F${handle}`,
    `/i%2f${handle}`,
    `//i/${handle}`,
    `/i//${handle}`,
    `/%69/${handle}`,
    `/%49/${handle}`,
    `/x/../i/${handle}`,
    `/./i/${handle}`,
    `/i/${handle}/more`,
    `/i/${handle}%2Fmore`,
    `http://id.example/I/${handle}`,
  ];
  for (const url of handles) assert.match(redactUrl(url), /^(http:\/\/id\.example)?\/i\/\[redacted\]$/, url);
  const tokens = [
    `/Tenants/Invitation-Tokens/${header}%2E${payload}%2E${signature}`,
    `/TENANTS/INVITATION-TOKENS/${jwt}/`,
    `/tenants/invitation-tokens/%65${jwt.slice(1)}`,
    `/tenants%2Finvitation-tokens%2F${jwt}`,
    `//tenants//invitation-tokens//${jwt}`,
    `/tenants/invitation%2Dtokens/${jwt}`,
    `/tenants/invitation-tokens/${header}%2e${payload}%2e${signature}?x=1`,
  ];
  for (const url of tokens)
    assert.match(redactUrl(url), /^\/tenants\/invitation-tokens\/\[redacted\](\?x=\[redacted\])?$/, url);
  assert.equal(
    redactUrl(`/session/${header}%2E${payload}%2E${signature}/x`),
    '/session/[redacted]/x',
    'a percent-encoded JWT',
  );
  assert.equal(redactUrl('/i/%E0%A4%A/%zz'), '/i/[redacted]', 'malformed escapes do not throw');
  assert.equal(
    redactUrl('http://ann:pw@id.example/x?code=C'),
    'http://[redacted]@id.example/x?code=[redacted]',
    'credentials in an absolute-form target',
  );
});

test('redactUrl leaves ordinary paths, ids and assets readable', () => {
  const id = '550e8400-e29b-41d4-a716-446655440000';
  assert.equal(
    redactUrl(`/api/tenants/${id}/memberships?limit=20&status=pending`),
    `/api/tenants/${id}/memberships?limit=20&status=pending`,
  );
  assert.equal(redactUrl('/static/tessera.css'), '/static/tessera.css');
  assert.equal(redactUrl('/interaction/Xyz_123-abcdefghijk/login'), '/interaction/Xyz_123-abcdefghijk/login');
  assert.equal(redactUrl('/api/i/x'), '/api/i/x');
});

test('the access log writes one line per request and never the secrets in its URL', async () => {
  const logs = captureLogs();
  const app = new Koa();
  app.use(accessLog(logs.logger));
  app.use((ctx) => {
    ctx.status = 302;
  });
  const res = await send(app, { path: `/callback/${jwt}?code=SECRET&state=S2&client_id=app` });
  assert.equal(logs.lines.length, 1);
  const [line] = logs.lines;
  assert.equal(line?.method, 'GET');
  assert.equal(line?.status, 302);
  assert.equal(line?.url, '/callback/[redacted]?code=[redacted]&state=[redacted]&client_id=app');
  assert.equal(typeof line?.ms, 'number');
  assert.equal(line?.requestId, res.headers['x-request-id']);
  assert.doesNotMatch(logs.raw(), /SECRET|S2|eyJ/);
});

test('a well-formed incoming X-Request-Id is kept, anything else replaced', async () => {
  const logs = captureLogs();
  const app = new Koa();
  app.use(accessLog(logs.logger));
  app.use((ctx) => {
    ctx.body = 'ok';
  });
  const kept = await send(app, { headers: { 'X-Request-Id': 'lb-7f3a_9' } });
  assert.equal(kept.headers['x-request-id'], 'lb-7f3a_9');
  const replaced = await send(app, { headers: { 'X-Request-Id': 'bad id "injected"' } });
  assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
});

test('an error that escapes is logged with its status', async () => {
  const logs = captureLogs();
  const app = new Koa();
  app.silent = true;
  app.use(accessLog(logs.logger));
  app.use((ctx) => ctx.throw(418));
  await send(app);
  assert.equal(logs.lines[0]?.status, 418);
});

test('the logger redacts credentials in logged objects and headers', () => {
  const logs = captureLogs();
  logs.logger.info(
    {
      password: 'pass-value',
      account: { password_hash: 'hash-value', token: 'token-value' },
      req: { headers: { authorization: 'Bearer auth-value', cookie: 'cookie-value' } },
    },
    'something',
  );
  assert.doesNotMatch(logs.raw(), /-value/);
  assert.match(logs.raw(), /\[redacted\]/);
});
