// Two instances on one database share keys, cookie secrets, sessions and tokens (DESIGN.md §12).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { createTessera } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { type Database, openDatabase } from '../server/db/database.js';
import { createLogger } from '../server/http/logging.js';
import { createClient } from '../server/oidc/clients.js';
import { openTestDatabase, testDatabases } from './support/databases.js';
import { UserAgent } from './support/user-agent.js';

const mysql = testDatabases().find((t) => t.label === 'mysql');

describe('two instances behind one issuer, one MySQL database', {
  skip: mysql ? false : 'needs TEST_MYSQL_URL',
}, () => {
  const servers: Server[] = [];
  const databases: Database[] = [];
  let issuer: string;
  let secret: string;
  let ports: number[];
  let dispose = async () => {};

  before(async () => {
    const opened = await openTestDatabase(mysql!);
    dispose = opened.dispose;
    // A stand-in load balancer: one public port that alternates between the two instances.
    for (let i = 0; i < 2; i++) servers.push(createServer());
    const balancer = createServer();
    servers.push(balancer);
    ports = await Promise.all(
      servers.map(
        (s) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port))),
      ),
    );
    issuer = `http://127.0.0.1:${ports[2]}`;
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_ITERATIONS: '1',
      ISSUER: issuer,
      DATABASE_URL: opened.url,
    };
    const config = loadConfig(env);
    // Each instance opens its own connection pool and starts at the same moment (first-start races).
    const instances = await Promise.all(
      [0, 1].map(async () => {
        const db = await openDatabase(config.database);
        databases.push(db);
        return createTessera(config, db, createLogger(config));
      }),
    );
    for (const [i, t] of instances.entries()) servers[i]!.on('request', t.app.callback());
    let turn = 0;
    balancer.on('request', (req, res) => servers[turn++ % 2]!.emit('request', req, res));
    secret = (
      await createClient(opened.db, {
        id: 'lb-app',
        name: 'App',
        redirectUris: [`${issuer}/app/callback`],
        firstParty: true,
      })
    ).secret!;
    await instances[0]!.accounts.createAccount({
      email: 'grace@example.test',
      name: 'Grace',
      password: 'a long passphrase',
      verified: true,
    });
  });

  after(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    for (const db of databases) await db.close();
    await dispose();
  });

  test('both instances publish the same keys after starting together', async () => {
    const [a, b] = await Promise.all(
      ports.slice(0, 2).map(async (p) => (await fetch(`http://127.0.0.1:${p}/jwks`)).text()),
    );
    assert.equal(a, b);
  });

  test('a sign-in whose requests alternate between instances completes, and refresh works on either', async () => {
    const rp = await oidc.discovery(new URL(issuer), 'lb-app', secret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: `${issuer}/app/callback`,
      scope: 'openid email',
      state: 'st',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const browser = new UserAgent(issuer);
    const callback = await browser.submit(await browser.follow(url.href), /\/login$/, {
      email: 'grace@example.test',
      password: 'a long passphrase',
    });
    assert.ok(
      callback.location?.startsWith(`${issuer}/app/callback`),
      `expected the app callback, got ${callback.status} ${callback.url}`,
    );
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(callback.location!), {
      pkceCodeVerifier: verifier,
      expectedState: 'st',
    });
    assert.equal(tokens.claims()?.email, 'grace@example.test');
    let refresh = tokens.refresh_token!;
    for (const port of ports.slice(0, 2)) {
      const res = await fetch(`http://127.0.0.1:${port}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`lb-app:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh }),
      });
      assert.equal(res.status, 200, `refresh on instance at ${port}`);
      refresh = ((await res.json()) as { refresh_token: string }).refresh_token;
    }
  });
});
