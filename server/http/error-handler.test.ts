import assert from 'node:assert/strict';
import { test } from 'node:test';
import Koa, { type Middleware } from 'koa';
import { z } from 'zod';
import { errorHandler, type ErrorResponse } from './error-handler.js';
import { Conflict, TooManyRequests } from '../errors.js';
import { accessLog } from './logging.js';
import { captureLogs, send } from './test-support.js';

function appThat(handler: Middleware, options: { renderFails?: boolean } = {}) {
  const logs = captureLogs();
  const pages: ErrorResponse[] = [];
  const app = new Koa();
  app.use(accessLog(logs.logger));
  app.use(
    errorHandler({
      logger: logs.logger,
      renderErrorPage: (ctx, error) => {
        if (options.renderFails) throw new Error('template missing');
        pages.push(error);
        ctx.body = `<h1>${error.code}</h1>`; // setting a body would make it 200 unless the handler restores it
      },
    }),
  );
  app.use(handler);
  return { app, logs, pages };
}

const html = { Accept: 'text/html' };

test('an AppError under /api answers with its status and JSON {error, error_description}', async () => {
  const { app } = appThat(() => {
    throw new Conflict('A tenant with this slug already exists.', 'slug_taken');
  });
  const res = await send(app, { path: '/api/tenants', headers: html });
  assert.equal(res.status, 409);
  assert.deepEqual(res.json(), { error: 'slug_taken', error_description: 'A tenant with this slug already exists.' });
});

test('a browser gets the error page, with the error status kept', async () => {
  const { app, pages } = appThat(() => {
    throw new Conflict('Already accepted.', 'already_member');
  });
  const res = await send(app, { path: '/tenants/invitations/x', headers: html });
  assert.equal(res.status, 409);
  assert.equal(res.text, '<h1>already_member</h1>');
  assert.deepEqual(pages, [{ status: 409, code: 'already_member', description: 'Already accepted.' }]);
});

test('a client that prefers JSON gets JSON outside /api too', async () => {
  const { app } = appThat(() => {
    throw new Conflict();
  });
  const res = await send(app, { path: '/login', headers: { Accept: 'application/json' } });
  assert.equal(res.status, 409);
  assert.equal((res.json() as { error: string }).error, 'conflict');
});

test('a validation error answers 400 invalid_request naming the fields at fault', async () => {
  const schema = z.object({ name: z.string(), roles: z.array(z.string()) });
  const { app } = appThat(() => {
    schema.parse({ roles: [7] });
  });
  const res = await send(app, { path: '/api/tenants' });
  const body = res.json() as { error: string; error_description: string };
  assert.equal(res.status, 400);
  assert.equal(body.error, 'invalid_request');
  assert.match(body.error_description, /^name: .+; roles\.0: .+/);
});

test('an unexpected error answers a generic 500, and is logged with the request id but not the body', async () => {
  const { app, logs } = appThat(() => {
    throw new Error('connection refused to 10.0.0.5');
  });
  const res = await send(app, {
    method: 'POST',
    path: '/api/tenants?code=SECRET',
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-42' },
    body: '{"password":"hunter2"}',
  });
  const body = res.json() as { error: string; error_description: string };
  assert.equal(res.status, 500);
  assert.equal(body.error, 'server_error');
  assert.doesNotMatch(res.text, /connection refused|at .*\.ts|stack/);
  const failure = logs.lines.find((line) => line.msg === 'request failed');
  assert.equal(failure?.requestId, 'req-42');
  assert.match(JSON.stringify(failure?.err), /connection refused/);
  assert.doesNotMatch(logs.raw(), /hunter2|SECRET/);
});

test('an unknown route answers 404 not_found the same way', async () => {
  const { app, pages } = appThat(async (_ctx, next) => next());
  const api = await send(app, { path: '/api/nothing' });
  assert.equal(api.status, 404);
  assert.equal((api.json() as { error: string }).error, 'not_found');
  const page = await send(app, { path: '/nothing', headers: html });
  assert.equal(page.status, 404);
  assert.equal(pages[0]?.code, 'not_found');
});

test('too many requests answers 429 with Retry-After', async () => {
  const { app } = appThat(() => {
    throw new TooManyRequests(30);
  });
  const res = await send(app, { path: '/api/x' });
  assert.equal(res.status, 429);
  assert.equal(res.headers['retry-after'], '30');
});

test("Koa's own client errors keep their status with a readable code", async () => {
  const { app } = appThat((ctx) => ctx.throw(405));
  const res = await send(app, { path: '/api/x' });
  assert.equal(res.status, 405);
  assert.equal((res.json() as { error: string }).error, 'method_not_allowed');
});

test('a client error that is not meant to be shown becomes a 500', async () => {
  const { app } = appThat(() => {
    throw Object.assign(new Error('internal detail'), { status: 400, expose: false });
  });
  const res = await send(app, { path: '/api/x' });
  assert.equal(res.status, 500);
  assert.doesNotMatch(res.text, /internal detail/);
});

test('when the error page itself fails, the description is sent as text and both are logged', async () => {
  const { app, logs } = appThat(
    () => {
      throw new Conflict('Already accepted.');
    },
    { renderFails: true },
  );
  const res = await send(app, { path: '/x', headers: html });
  assert.equal(res.status, 409);
  assert.equal(res.text, 'Already accepted.');
  assert.ok(logs.lines.some((line) => JSON.stringify(line.err).includes('template missing')));
});
