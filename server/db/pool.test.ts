// The connection pool under pressure: no request holds a connection while it waits for another, a
// request that cannot get one in time answers 503, and /readyz sees an exhausted pool.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createClient } from '../oidc/clients.js';
import { openDatabase } from './database.js';
import { apiClient } from '../../test/support/api.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken } from '../../test/support/tokens.js';

/** A fetch that gives up after `ms`, so a hanging server fails the test instead of stalling it. */
async function within(ms: number, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
  } catch (error) {
    throw new Error(`${init.method ?? 'GET'} ${url} gave no answer within ${ms} ms (${(error as Error).name})`);
  }
}

/** A client-credentials token request, as a backend makes it. */
async function tokenRequest(
  server: TestServer,
  client: { id: string; secret?: string },
  ms: number,
): Promise<Response> {
  return within(ms, `${server.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${btoa(`${client.id}:${client.secret}`)}`,
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'tenants:manage',
      resource: `${server.url}/api`,
    }).toString(),
  });
}

/** Runs `count` calls of `task`, at most `inFlight` at a time. */
async function inParallel<T>(count: number, inFlight: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return results;
}

describeWithServer(
  'a flood of invitation creates',
  (server) => {
    const api = apiClient(server);

    test('300 creates at 50 in flight all answer, and afterwards /token and /readyz answer within 2 s', {
      timeout: 180_000,
    }, async () => {
      const manage = await clientToken(server(), { manage: true });
      const tenantId = await api.tenantWith(manage, 'Flood Co');
      const statuses = await inParallel(300, 50, async () => {
        const res = await within(30_000, `${server().url}/api/tenants/${tenantId}/invitations/tokens`, {
          method: 'POST',
          headers: { authorization: `Bearer ${manage}`, 'content-type': 'application/json' },
          body: JSON.stringify({ deliver: 'none' }),
        });
        await res.arrayBuffer();
        return res.status;
      });
      // Busy (503) is an honest answer under a flood; a 500 or no answer is not.
      assert.deepEqual(
        statuses.filter((s) => s !== 201 && s !== 503),
        [],
        'every create is 201 or 503',
      );
      assert.ok(
        statuses.filter((s) => s === 201).length >= 250,
        `most creates succeed: ${statuses.filter((s) => s === 201).length}`,
      );

      const backend = await createClient(server().db, {
        name: 'After the flood',
        redirectUris: [],
        grantTypes: ['client_credentials'],
        tenantsManage: true,
      });
      assert.equal((await tokenRequest(server(), backend, 2000)).status, 200);
      assert.equal((await within(2000, `${server().url}/readyz`)).status, 200);
    });
  },
  { INVITATION_QUOTA_PER_HOUR: '100000' },
);

describeWithServer('an exhausted connection pool', (server) => {
  test('while every connection is held, /readyz fails within about 2 s, an API call answers 503 with Retry-After, and both recover', {
    timeout: 60_000,
  }, async (t) => {
    if (server().db.kind !== 'mysql') return t.skip('sql.js has one connection and no pool');
    const manage = await clientToken(server(), { manage: true });
    const backend = await createClient(server().db, {
      name: 'Backend',
      redirectUris: [],
      grantTypes: ['client_credentials'],
      tenantsManage: true,
    });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let started = 0;
    const holders = Array.from({ length: 10 }, () =>
      server().db.transaction(async (m) => {
        await m.query('SELECT 1');
        started++;
        await gate;
      }),
    );
    try {
      for (let i = 0; i < 100 && started < 10; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(started, 10, 'the test holds all 10 connections');

      const ready = await within(4000, `${server().url}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal(((await ready.json()) as { status: string }).status, 'unavailable');

      const busy = await within(8000, `${server().url}/api/tenants`, {
        headers: { authorization: `Bearer ${manage}` },
      });
      assert.equal(busy.status, 503);
      assert.ok(Number(busy.headers.get('retry-after')) >= 1, 'Retry-After says when to come back');
      assert.equal(((await busy.json()) as { error: string }).error, 'temporarily_unavailable');

      // The provider may answer from its caches; when it needs the database it says busy, never hangs.
      const token = await tokenRequest(server(), backend, 8000);
      assert.ok([200, 503].includes(token.status), `token endpoint answers 200 or 503, not ${token.status}`);
      if (token.status === 503) assert.ok(Number(token.headers.get('retry-after')) >= 1);
    } finally {
      open();
      await Promise.all(holders);
    }
    assert.equal((await within(2000, `${server().url}/readyz`)).status, 200);
    assert.equal(
      (await within(4000, `${server().url}/api/tenants`, { headers: { authorization: `Bearer ${manage}` } })).status,
      200,
    );
  });
});

describe('a named database lock', { skip: process.env.TEST_MYSQL_URL ? false : 'TEST_MYSQL_URL is not set' }, () => {
  test('work under the lock runs on the connection that holds it, so a pool of one connection is enough', {
    timeout: 20_000,
  }, async () => {
    const db = await openDatabase({
      kind: 'mysql',
      url: process.env.TEST_MYSQL_URL!,
      pool: { size: 1, waitMs: 2000, queueLimit: 10 },
    });
    try {
      const answer = await db.withLock('pool-of-one', () =>
        db.transaction(async (m) => {
          const [row] = (await m.query('SELECT 1 AS one')) as { one: number }[];
          return db.read(async () => Number(row?.one));
        }),
      );
      assert.equal(answer, 1);
    } finally {
      await db.close();
    }
  });
});
