import assert from 'node:assert/strict';
import { test } from 'node:test';
import Koa from 'koa';
import { bodyParser } from './body.js';
import { errorHandler } from './error-handler.js';
import { captureLogs, send } from './test-support.js';

function echoApp() {
  const app = new Koa();
  app.use(errorHandler({ logger: captureLogs().logger, renderErrorPage: () => undefined }));
  app.use(bodyParser({ jsonLimit: '1kb', formLimit: '1kb' }));
  app.use((ctx) => {
    ctx.body = { received: ctx.request.body ?? null };
  });
  return app;
}

const post = (contentType: string, body: string) => ({
  method: 'POST',
  path: '/api/x',
  headers: { 'Content-Type': contentType },
  body,
});

test('JSON and form bodies are parsed', async () => {
  const json = await send(echoApp(), post('application/json', '{"name":"Acme"}'));
  assert.deepEqual(json.json(), { received: { name: 'Acme' } });
  const form = await send(echoApp(), post('application/x-www-form-urlencoded', 'name=Acme&_csrf=t'));
  assert.deepEqual(form.json(), { received: { name: 'Acme', _csrf: 't' } });
});

test('malformed JSON answers 400 invalid_json without quoting the body', async () => {
  const res = await send(echoApp(), post('application/json', '{"password":"hunter2",'));
  assert.equal(res.status, 400);
  assert.equal((res.json() as { error: string }).error, 'invalid_json');
  assert.doesNotMatch(res.text, /hunter2/);
});

test('a body over the limit answers 413 payload_too_large', async () => {
  const res = await send(echoApp(), post('application/json', JSON.stringify({ name: 'x'.repeat(2000) })));
  assert.equal(res.status, 413);
  assert.equal((res.json() as { error: string }).error, 'payload_too_large');
  const form = await send(echoApp(), post('application/x-www-form-urlencoded', `name=${'x'.repeat(2000)}`));
  assert.equal(form.status, 413);
});

test('a body of another type answers 415 unsupported_media_type', async () => {
  const res = await send(echoApp(), post('text/plain', 'hello'));
  assert.equal(res.status, 415);
  assert.equal((res.json() as { error: string }).error, 'unsupported_media_type');
});

test('a request without a body passes untouched', async () => {
  const res = await send(echoApp(), { method: 'POST', path: '/api/x' });
  assert.equal(res.status, 200);
  const get = await send(echoApp(), { path: '/api/x', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(get.status, 200);
});

test('a body that claims a compression it lacks answers 400 invalid_body; an unknown coding 415', async () => {
  for (const encoding of ['gzip', 'deflate', 'br']) {
    const res = await send(echoApp(), {
      ...post('application/json', '{"name":"Acme"}'),
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
    });
    assert.equal(res.status, 400, encoding);
    assert.equal((res.json() as { error: string }).error, 'invalid_body');
  }
  const unknown = await send(echoApp(), {
    ...post('application/json', '{}'),
    headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'compress' },
  });
  assert.equal(unknown.status, 415);
});

test('JSON nested deeper than 32 levels answers 400 invalid_body before the handler', async () => {
  const deep = (depth: number) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
  const refused = await send(echoApp(), post('application/json', deep(100)));
  assert.equal(refused.status, 400);
  assert.equal((refused.json() as { error: string }).error, 'invalid_body');
  assert.equal((await send(echoApp(), post('application/json', deep(30)))).status, 200);
});
