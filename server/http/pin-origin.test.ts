import assert from 'node:assert/strict';
import { test } from 'node:test';
import Koa from 'koa';
import { pinOrigin } from './pin-origin.js';
import { send } from './test-support.js';

// A proxy-trusting app is the worst case: Koa would believe X-Forwarded-Host and X-Forwarded-Proto.
function appSeeing(issuer: string) {
  const app = new Koa({ keys: ['k'.repeat(32)], proxy: true });
  pinOrigin(app, issuer);
  app.use((ctx) => {
    ctx.cookies.set('probe', '1', { signed: false });
    ctx.body = {
      href: ctx.href,
      url: ctx.URL.href,
      host: ctx.host,
      hostname: ctx.hostname,
      protocol: ctx.protocol,
      secure: ctx.secure,
      origin: ctx.origin,
    };
  });
  return app;
}

const forged = { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'http' };

test('a forged Host and X-Forwarded-Host never reach absolute URLs: they follow the issuer', async () => {
  const res = await send(appSeeing('https://id.example.com'), { path: '/auth?client_id=app', headers: forged });
  assert.deepEqual(res.json(), {
    href: 'https://id.example.com/auth?client_id=app',
    url: 'https://id.example.com/auth?client_id=app',
    host: 'id.example.com',
    hostname: 'id.example.com',
    protocol: 'https',
    secure: true,
    origin: null, // Koa 3: the browser's Origin header, which is not ours to rewrite
  });
});

test('cookies are Secure when the issuer is https, even behind a plain-http hop', async () => {
  const res = await send(appSeeing('https://id.example.com'), { headers: forged });
  assert.match(String(res.headers['set-cookie']), /secure/i);
});

test('an absolute-form request target cannot choose the host either', async () => {
  const res = await send(appSeeing('http://localhost:3000'), {
    path: 'http://evil.example/.well-known/openid-configuration',
    headers: forged,
  });
  const seen = res.json() as { href: string; url: string; secure: boolean };
  assert.equal(seen.href, 'http://localhost:3000/.well-known/openid-configuration');
  assert.equal(seen.url, 'http://localhost:3000/.well-known/openid-configuration');
  assert.equal(seen.secure, false);
});
