import assert from 'node:assert/strict';
import { test } from 'node:test';
import Koa from 'koa';
import { errorHandler } from './error-handler.js';
import { noStore, securityHeaders } from './security-headers.js';
import { captureLogs, send } from './test-support.js';

function appWith(options: Parameters<typeof securityHeaders>[0]) {
  const app = new Koa();
  app.use(securityHeaders(options));
  app.use((ctx) => {
    if (ctx.path === '/secret') noStore(ctx);
    ctx.body = ctx.response.get('Content-Security-Policy'); // what the provider would read
  });
  return app;
}

test('every response forbids framing, sniffing and referrers, and confines content to our origin', async () => {
  const res = await send(appWith({ issuer: 'http://localhost:3000' }));
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /form-action/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
});

test('the policy has a script-src before the handlers run, so oidc-provider can add its form_post script hash', async () => {
  const res = await send(appWith({ issuer: 'http://localhost:3000' }));
  assert.match(res.text, /script-src 'self'/);
});

test('form-action is added only when a deployment lists where its forms may go', async () => {
  const res = await send(appWith({ issuer: 'https://id.example', formActionSources: ['https://app.example'] }));
  assert.match(String(res.headers['content-security-policy']), /form-action 'self' https:\/\/app\.example/);
});

test('HSTS is sent only when the issuer is https', async () => {
  const plain = await send(appWith({ issuer: 'http://localhost:3000' }));
  assert.equal(plain.headers['strict-transport-security'], undefined);
  const tls = await send(appWith({ issuer: 'https://id.example' }));
  assert.equal(tls.headers['strict-transport-security'], 'max-age=31536000');
});

test('error responses keep them: the error handler clears only what described the failed response', async () => {
  const app = new Koa();
  app.use(errorHandler({ logger: captureLogs().logger, renderErrorPage: () => undefined }));
  app.use(securityHeaders({ issuer: 'http://localhost:3000' }));
  app.use(() => {
    throw new Error('boom');
  });
  const res = await send(app, { path: '/api/x' });
  assert.equal(res.status, 500);
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
});

test('noStore keeps pages holding secrets out of every cache', async () => {
  const res = await send(appWith({ issuer: 'http://localhost:3000' }), { path: '/secret' });
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.headers.pragma, 'no-cache');
});
