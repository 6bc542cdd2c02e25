// The checks every operator API route shares, for the features' HTTP tests: who is refused, and how bad input is.
import assert from 'node:assert/strict';
import type { apiClient } from './api.js';
import type { TestServer } from './server.js';
import { clientToken, operatorToken } from './tokens.js';

type Api = ReturnType<typeof apiClient>;

/** Tokens for the operator API: an operator client's, and a tenants:manage backend's (not an operator). */
export async function operatorTokens(server: TestServer): Promise<{ ops: string; manage: string }> {
  const [ops, manage] = await Promise.all([operatorToken(server), clientToken(server, { manage: true })]);
  return { ops, manage };
}

/** Without a token 401; with a non-operator's token 403 before the body is read; both JSON errors. */
export async function assertOperatorsOnly(api: Api, manage: string, method: string, path: string, body?: unknown) {
  const anonymous = await api.call(method, path, undefined, body);
  assert.equal(anonymous.status, 401, `${method} ${path} without a token`);
  const refused = await api.call(method, path, manage, body);
  assert.equal(refused.status, 403, `${method} ${path} with a tenants:manage token`);
  assert.equal(refused.body.error, 'insufficient_scope', 'a backend gets no operator scope');
}

/** Bad input from an operator: 400 with a JSON error and its description. */
export async function assertBadRequest(api: Api, ops: string, method: string, path: string, body?: unknown) {
  const answer = await api.call(method, path, ops, body);
  assert.equal(answer.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`);
  assert.match(answer.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(typeof answer.body.error, 'string');
  assert.equal(typeof answer.body.error_description, 'string');
}
