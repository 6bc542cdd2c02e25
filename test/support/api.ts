// Management API calls for tests: JSON in and out, with a bearer token; tenants with members.
import assert from 'node:assert/strict';
import { insertMembership } from '../../server/tenants/service.js';
import type { TestServer } from './server.js';
import type { Person } from './tokens.js';
import { fetchWithin } from './waits.js';

export interface Reply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export function apiClient(server: () => TestServer) {
  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<Reply<T>> {
    const res = await fetchWithin(`${server().url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as T };
  }

  /** A tenant created by the backend (`manage` token), with the given people as members. */
  async function tenantWith(
    manage: string,
    name: string,
    admins: Person[] = [],
    users: Person[] = [],
  ): Promise<string> {
    const created = await call<{ id: string }>('POST', '/api/tenants', manage, { name });
    assert.equal(created.status, 201);
    await server().db.transaction(async (m) => {
      for (const p of admins) await insertMembership(m, created.body.id, p.id, ['tenant-admin'], null);
      for (const p of users) await insertMembership(m, created.body.id, p.id, ['tenant-user'], null);
    });
    return created.body.id;
  }

  return { call, tenantWith };
}
