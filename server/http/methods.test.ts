// HTTP methods no route serves, and the API's paths in any letter case, through a running Tessera.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import type Router from '@koa/router';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { PROVIDER_ENDPOINTS } from '../oidc/provider-methods.js';

interface Answer {
  status: number;
  allow: string | undefined;
  type: string;
  text: string;
}

/** node:http, because fetch refuses to send TRACE. */
function send(
  base: string,
  method: string,
  path: string,
  accept: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: hostname, port, method, path, headers: { accept, ...headers }, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            allow: res.headers.allow,
            type: res.headers['content-type'] ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const JSON_ACCEPT = 'application/json';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,*/*;q=0.8';

// Our pages, the API (in two letter cases), the provider's endpoints, health, and nothing at all.
const PATHS = [
  '/',
  '/api/tenants',
  '/API/Tenants',
  '/api/nothing',
  '/token',
  '/auth',
  '/.well-known/openid-configuration',
  '/jwks',
  '/me',
  '/healthz',
  '/interaction/abc',
  '/signed-in',
  '/no/such/page',
];

describeWithServer('HTTP methods and API paths', (server: () => TestServer) => {
  test('no route of ours sits at a provider endpoint: those requests go straight to the provider, past our routers', () => {
    const routers = server()
      .tessera.app.middleware.map((m) => (m as { router?: Router }).router)
      .filter((r): r is Router => r !== undefined);
    assert.ok(routers.length >= 3, 'the health, page and API routers are found');
    for (const { path, methods } of PROVIDER_ENDPOINTS) {
      const concrete = path.replace(/:\w+/g, 'x');
      for (const method of methods)
        for (const router of routers)
          assert.equal(router.match(concrete, method).route, false, `${method} ${concrete} is routed by one of ours`);
    }
  });

  test('TRACE and PROPFIND answer 405 method_not_allowed as JSON on every path, provider endpoints included', async () => {
    for (const method of ['TRACE', 'PROPFIND', 'MKCOL']) {
      for (const path of PATHS) {
        const res = await send(server().url, method, path, JSON_ACCEPT);
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.match(res.type, /^application\/json/, `${method} ${path}`);
        assert.equal((JSON.parse(res.text) as { error: string }).error, 'method_not_allowed', `${method} ${path}`);
        assert.notEqual(res.allow, '', `${method} ${path}: an empty Allow would say no method is allowed`);
      }
    }
  });

  test('a browser sending an unsupported method gets the error page with 405', async () => {
    for (const path of ['/', '/token', '/interaction/abc']) {
      const res = await send(server().url, 'PROPFIND', path, BROWSER_ACCEPT);
      assert.equal(res.status, 405, path);
      assert.match(res.type, /^text\/html/, path);
      assert.match(res.text, /method_not_allowed/, path);
    }
  });

  test('a 405 names the methods the path does accept, where they are known', async () => {
    for (const path of ['/api/tenants', '/API/TENANTS']) {
      const res = await send(server().url, 'TRACE', path, JSON_ACCEPT);
      assert.equal(res.status, 405, path);
      assert.deepEqual(res.allow?.split(/,\s*/).sort(), ['GET', 'HEAD', 'POST'], path);
    }
    const put = await send(server().url, 'PUT', '/healthz', JSON_ACCEPT);
    assert.equal(put.status, 405);
    assert.deepEqual(put.allow?.split(/,\s*/).sort(), ['GET', 'HEAD']);
  });

  test('a provider endpoint answers a method it does not take with 405 and the methods it does take', async () => {
    const cases: [string, string, string[]][] = [
      ['GET', '/token', ['OPTIONS', 'POST']],
      ['PUT', '/jwks', ['GET', 'HEAD', 'OPTIONS']],
      ['DELETE', '/.well-known/openid-configuration', ['GET', 'HEAD', 'OPTIONS']],
      ['POST', '/auth', ['GET', 'HEAD']],
      ['TRACE', '/Token/', ['OPTIONS', 'POST']],
    ];
    for (const [method, path, allow] of cases) {
      const res = await send(server().url, method, path, JSON_ACCEPT);
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal((JSON.parse(res.text) as { error: string }).error, 'method_not_allowed', `${method} ${path}`);
      assert.deepEqual(res.allow?.split(/,\s*/).sort(), allow, `${method} ${path}`);
    }
  });

  test('the table of provider methods matches the running provider: listed methods reach it, the others are 405', async () => {
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
    // A CORS preflight, which is what the provider's OPTIONS routes answer.
    const preflight = { origin: 'https://app.example', 'access-control-request-method': 'POST' };
    for (const { path, methods: listed } of PROVIDER_ENDPOINTS) {
      const target = path.replace(/:\w+/g, 'some-id');
      for (const method of methods) {
        const res = await send(server().url, method, target, JSON_ACCEPT, method === 'OPTIONS' ? preflight : {});
        const error = res.text.startsWith('{') ? (JSON.parse(res.text) as { error?: string }).error : undefined;
        if (listed.includes(method)) {
          assert.ok(
            res.status !== 405 && error !== 'not_found',
            `${method} ${target} is listed, but the provider did not take it: ${res.status} ${res.text.slice(0, 200)}`,
          );
        } else {
          assert.equal(
            res.status,
            405,
            `${method} ${target} is not listed, but answered ${res.status} ${res.text.slice(0, 200)}`,
          );
          assert.deepEqual(res.allow?.split(/,\s*/).sort(), [...listed].sort(), `${method} ${target}`);
        }
      }
    }
  });

  test('the API answers errors as JSON whatever the letter case of its path, even to a browser', async () => {
    for (const path of ['/API/tenants', '/Api/tenants/some-id', '/API/nothing', '/API']) {
      const res = await send(server().url, 'GET', path, BROWSER_ACCEPT);
      assert.ok([401, 404].includes(res.status), `${path}: ${res.status}`);
      assert.match(res.type, /^application\/json/, path);
      assert.ok(['invalid_token', 'not_found'].includes((JSON.parse(res.text) as { error: string }).error), path);
    }
  });
});
