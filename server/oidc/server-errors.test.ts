// oidc-provider writes its own 500 for an error it does not know: Tessera logs it, without a token.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { Context } from 'koa';
import { ServiceUnavailable } from '../errors.js';
import { createLogger } from '../http/logging.js';
import { onProviderServerError } from './server-errors.js';

const TOKEN = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1u';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ logLevel: 'info' }, stream) };
}

function fakeContext(): Context & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  return {
    state: { requestId: 'req-1' },
    method: 'POST',
    originalUrl: `/token?grant_type=authorization_code&code=${TOKEN}`,
    status: 500,
    headers,
    set(fields: Record<string, string>) {
      Object.assign(headers, fields);
    },
  } as unknown as Context & { headers: Record<string, string> };
}

test("the provider's server_error is logged with the request id and a redacted URL, and no token", () => {
  const { lines, logger } = capture();
  const error = Object.assign(new Error(`Duplicate entry 'AuthorizationCode-${TOKEN}' for key 'PRIMARY'`), {
    parameters: [TOKEN],
    query: `INSERT INTO oidc_payloads VALUES ('${TOKEN}')`,
  });
  onProviderServerError(logger)(fakeContext(), error);
  assert.equal(lines.length, 1, 'one line is logged');
  const line = JSON.parse(lines[0]!) as { requestId: string; url: string; error: { type: string; message: string } };
  assert.equal(line.requestId, 'req-1');
  assert.match(line.url, /^\/token\?.*code=\[redacted\]$/);
  assert.equal(line.error.type, 'Error');
  assert.match(line.error.message, /Duplicate entry/);
  assert.ok(!lines[0]!.includes(TOKEN), 'the token appears nowhere in the line');
});

test('a database that cannot serve makes the provider answer 503 with Retry-After, logged as nothing', () => {
  const { lines, logger } = capture();
  const ctx = fakeContext();
  onProviderServerError(logger)(ctx, new ServiceUnavailable(2));
  assert.equal(ctx.status, 503);
  assert.equal(ctx.headers['Retry-After'], '2');
  assert.equal(lines.length, 0);
});
