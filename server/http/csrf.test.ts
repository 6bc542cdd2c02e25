import assert from 'node:assert/strict';
import { test } from 'node:test';
import Koa from 'koa';
import { bodyParser } from './body.js';
import { csrf } from './csrf.js';
import { errorHandler } from './error-handler.js';
import { captureLogs, send } from './test-support.js';

const issuer = 'http://localhost:3000';

function formApp() {
  const app = new Koa({ keys: ['a-cookie-key-of-at-least-32-characters'] });
  app.use(errorHandler({ logger: captureLogs().logger, renderErrorPage: () => undefined }));
  app.use(bodyParser());
  app.use(csrf({ issuer, cookieName: 'csrf' }));
  app.use((ctx) => {
    ctx.body = { token: ctx.state.csrfToken, accepted: ctx.method === 'POST' };
  });
  return app;
}

/** A browser that opened the form: its cookies and the token the page showed. */
async function openForm(app: Koa) {
  const res = await send(app, { path: '/form' });
  const setCookies = res.headers['set-cookie'] ?? [];
  const cookie = setCookies.map((c) => c.split(';')[0]).join('; ');
  return { cookie, setCookies, token: (res.json() as { token: string }).token };
}

function submit(app: Koa, fields: string, headers: Record<string, string>) {
  return send(app, {
    method: 'POST',
    path: '/form',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...headers },
    body: fields,
  });
}

test('a page gets a token, and its secret is kept in a signed httpOnly SameSite=Lax cookie', async () => {
  const { setCookies, token } = await openForm(formApp());
  assert.match(token, /^[\w-]{43}$/);
  const secretCookie = setCookies.find((c) => c.startsWith('csrf='));
  assert.match(String(secretCookie), /httponly/i);
  assert.match(String(secretCookie), /samesite=lax/i);
  assert.ok(
    setCookies.some((c) => c.startsWith('csrf.sig=')),
    'the cookie is signed',
  );
});

test('a browser returning the form with its token is let through', async () => {
  const app = formApp();
  const { cookie, token } = await openForm(app);
  const res = await submit(app, `name=x&_csrf=${token}`, { Cookie: cookie, Origin: issuer });
  assert.equal(res.status, 200);
  assert.equal((res.json() as { accepted: boolean }).accepted, true);
  const again = await send(app, { path: '/form', headers: { Cookie: cookie } });
  assert.equal((again.json() as { token: string }).token, token, 'the token stays the same for the browser');
});

test('a form without the token is refused with 403 invalid_csrf_token', async () => {
  const app = formApp();
  const { cookie } = await openForm(app);
  const res = await submit(app, 'name=x', { Cookie: cookie });
  assert.equal(res.status, 403);
  assert.equal((res.json() as { error: string }).error, 'invalid_csrf_token');
});

test('a form with a wrong token, or with no cookie at all, is refused', async () => {
  const app = formApp();
  const { cookie, token } = await openForm(app);
  const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`; // differs from the token in its last character
  assert.equal((await submit(app, `_csrf=${wrong}`, { Cookie: cookie })).status, 403);
  assert.equal((await submit(app, `_csrf=${token}`, {})).status, 403);
});

test('a cookie that our keys did not sign is ignored', async () => {
  const app = formApp();
  const res = await submit(app, '_csrf=planted', { Cookie: 'csrf=planted; csrf.sig=forged' });
  assert.equal(res.status, 403);
});

test('a form posted from another origin is refused even with a valid token', async () => {
  const app = formApp();
  const { cookie, token } = await openForm(app);
  const res = await submit(app, `_csrf=${token}`, { Cookie: cookie, Origin: 'https://evil.example' });
  assert.equal(res.status, 403);
  assert.equal((res.json() as { error: string }).error, 'invalid_csrf_token');
});

test('Origin: null, which our no-referrer pages make browsers send, leaves the decision to the token', async () => {
  const app = formApp();
  const { cookie, token } = await openForm(app);
  assert.equal((await submit(app, `_csrf=${token}`, { Cookie: cookie, Origin: 'null' })).status, 200);
  assert.equal((await submit(app, '_csrf=guess', { Cookie: cookie, Origin: 'null' })).status, 403);
});
