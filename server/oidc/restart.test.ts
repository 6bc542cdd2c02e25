// Keys live in the database: tokens survive restarts and rotation phases.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as jose from 'jose';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { createClient } from './clients.js';
import { rotateKeys } from '../keys/keys.js';

describeWithServer('signing keys across restarts', (server: () => TestServer) => {
  let basic: string;

  before(async () => {
    const { id, secret } = await createClient(server().db, {
      name: 'Backend',
      redirectUris: [],
      grantTypes: ['client_credentials'],
    });
    basic = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  });

  async function accessToken(): Promise<string> {
    const res = await fetch(`${server().url}/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  async function verify(token: string) {
    const jwks = jose.createLocalJWKSet((await (await fetch(`${server().url}/jwks`)).json()) as jose.JSONWebKeySet);
    return jose.jwtVerify(token, jwks, { issuer: server().url, audience: `${server().url}/api` });
  }

  test('a token issued before a restart still verifies after it, signed by the same key', async () => {
    const token = await accessToken();
    await server().restart();
    await verify(token);
    assert.equal(jose.decodeProtectedHeader(await accessToken()).kid, jose.decodeProtectedHeader(token).kid);
  });

  test('rotation: a next key is published before it signs; after promotion old tokens still verify', async () => {
    const old = await accessToken();
    const oldKid = jose.decodeProtectedHeader(old).kid;

    const introduced = await rotateKeys(server().db);
    await server().restart();
    const published = ((await (await fetch(`${server().url}/jwks`)).json()) as jose.JSONWebKeySet).keys.map(
      (k) => k.kid,
    );
    for (const kid of introduced.kids) assert.ok(published.includes(kid), 'next keys are published');
    assert.equal(jose.decodeProtectedHeader(await accessToken()).kid, oldKid, 'the current key still signs');

    const promoted = await rotateKeys(server().db);
    await server().restart();
    const fresh = await accessToken();
    assert.ok(promoted.kids.includes(jose.decodeProtectedHeader(fresh).kid!), 'the promoted key signs');
    await verify(old);
    await verify(fresh);
  });
});
