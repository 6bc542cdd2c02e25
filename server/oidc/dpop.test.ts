// DPoP (RFC 9449) end to end: key-bound Management API tokens from the provider, and the proofs the API demands for them.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { before, test } from 'node:test';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken } from '../../test/support/tokens.js';
import { createClient } from './clients.js';
import { DPOP_ALGS } from './dpop.js';

type Alg = 'ES256' | 'Ed25519' | 'EdDSA' | 'PS256';
interface Key {
  alg: Alg;
  pair: jose.GenerateKeyPairResult;
}

const newKey = async (alg: Alg = 'ES256', extractable = false): Promise<Key> => ({
  alg,
  pair: await jose.generateKeyPair(alg, { extractable }),
});
const nowSeconds = () => Math.floor(Date.now() / 1000);
const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

interface ProofOptions {
  htm: string;
  htu: string;
  token?: string;
  iat?: number;
  jti?: string;
  /** Header fields to put in place of the honest ones (typ, alg, jwk). */
  header?: Record<string, unknown>;
  /** Claims to leave out or replace. */
  claims?: Record<string, unknown>;
}

/** A DPoP proof JWT built with jose, so each field can be made wrong on purpose. */
async function proof(key: Key, options: ProofOptions): Promise<string> {
  const jwk = await jose.exportJWK(key.pair.publicKey);
  const claims = {
    htm: options.htm,
    htu: options.htu,
    iat: options.iat ?? nowSeconds(),
    jti: options.jti ?? randomUUID(),
    ...(options.token ? { ath: hashOf(options.token) } : {}),
    ...options.claims,
  };
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk, ...options.header } as jose.JWTHeaderParameters)
    .sign(key.pair.privateKey);
}

const payloadOf = (token: string) => jose.decodeJwt(token) as { cnf?: { jkt?: string } };

describeWithServer('DPoP-bound Management API tokens', (server: () => TestServer) => {
  let clientId: string;
  let clientSecret: string;
  let key: Key;
  let bound: string;

  const tenantsUrl = () => `${server().url}/api/tenants`;

  /** A client-credentials API token from the token endpoint, bound to `key` by a proof built here. */
  async function boundToken(withKey: Key): Promise<Response> {
    return fetch(`${server().url}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        dpop: await proof(withKey, { htm: 'POST', htu: `${server().url}/token` }),
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'tenants:manage',
        resource: `${server().url}/api`,
      }),
    });
  }

  const callApi = (authorization: string, dpop?: string | string[], url = tenantsUrl(), method = 'GET') => {
    const headers = new Headers({ authorization, accept: 'application/json' });
    for (const value of [dpop ?? []].flat()) headers.append('dpop', value);
    return fetch(url, { method, headers });
  };

  async function assertDpopRefusal(
    res: Response,
    code: 'invalid_dpop_proof' | 'invalid_token',
    why: string,
  ): Promise<void> {
    assert.equal(res.status, 401, why);
    const challenge = res.headers.get('www-authenticate') ?? '';
    assert.match(challenge, new RegExp(`^DPoP error="${code}"`), why);
    assert.ok(challenge.includes(`algs="${DPOP_ALGS.join(' ')}"`), `${why}: ${challenge}`);
    assert.equal(((await res.json()) as { error: string }).error, code, why);
  }

  before(async () => {
    ({ id: clientId, secret: clientSecret } = (await createClient(server().db, {
      name: 'DPoP backend',
      redirectUris: [],
      grantTypes: ['client_credentials'],
      tenantsManage: true,
    })) as { id: string; secret: string });
    key = await newKey();
    const res = await boundToken(key);
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { access_token: string; token_type: string };
    assert.equal(body.token_type, 'DPoP');
    bound = body.access_token;
  });

  test('discovery advertises exactly the proof algorithms the API verifies', async () => {
    const discovery = (await (await fetch(`${server().url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    assert.deepEqual(discovery.dpop_signing_alg_values_supported, [...DPOP_ALGS]);
  });

  test('the OpenAPI document offers the DPoP scheme beside Bearer', async () => {
    const document = (await (await fetch(`${server().url}/api/openapi.json`)).json()) as {
      security: Record<string, unknown>[];
      components: { securitySchemes: Record<string, { scheme?: string }> };
    };
    assert.deepEqual(document.security, [{ bearer: [] }, { dpop: [] }]);
    assert.equal(document.components.securitySchemes.dpop?.scheme, 'DPoP');
  });

  test('the provider binds the API token to the key of the proof (cnf.jkt is its RFC 7638 thumbprint)', async () => {
    assert.equal(
      payloadOf(bound).cnf?.jkt,
      await jose.calculateJwkThumbprint(await jose.exportJWK(key.pair.publicKey)),
    );
  });

  test("a relying party using openid-client's DPoP support gets a bound token and calls the API with it", async () => {
    const rp = await oidc.discovery(new URL(server().url), clientId, clientSecret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const handle = oidc.getDPoPHandle(rp, await oidc.randomDPoPKeyPair('ES256'));
    const tokens = await oidc.clientCredentialsGrant(
      rp,
      { scope: 'tenants:manage', resource: `${server().url}/api` },
      { DPoP: handle },
    );
    assert.equal(tokens.token_type, 'dpop');
    const res = await oidc.fetchProtectedResource(
      rp,
      tokens.access_token,
      new URL(tenantsUrl()),
      'GET',
      undefined,
      undefined,
      { DPoP: handle },
    );
    assert.equal(res.status, 200);
  });

  test('a bound token with a valid proof is accepted, for GET and POST alike', async () => {
    const list = await callApi(`DPoP ${bound}`, await proof(key, { htm: 'GET', htu: tenantsUrl(), token: bound }));
    assert.equal(list.status, 200, await list.text());
    const created = await fetch(tenantsUrl(), {
      method: 'POST',
      headers: {
        authorization: `DPoP ${bound}`,
        dpop: await proof(key, { htm: 'POST', htu: tenantsUrl(), token: bound }),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'Bound Co' }),
    });
    assert.equal(created.status, 201, await created.text());
  });

  test("htu is compared without its query and fragment, and the request's query does not count either", async () => {
    const res = await callApi(
      `DPoP ${bound}`,
      await proof(key, { htm: 'GET', htu: `${tenantsUrl()}?x=1#y`, token: bound }),
      `${tenantsUrl()}?limit=5`,
    );
    assert.equal(res.status, 200, await res.text());
  });

  test('the same bound token sent as Bearer is refused: 401 with a DPoP challenge', async () => {
    await assertDpopRefusal(await callApi(`Bearer ${bound}`), 'invalid_token', 'as Bearer');
    await assertDpopRefusal(
      await callApi(`Bearer ${bound}`, await proof(key, { htm: 'GET', htu: tenantsUrl(), token: bound })),
      'invalid_token',
      'as Bearer with a proof',
    );
  });

  test('a proof that is wrong in any one way is refused with invalid_dpop_proof', async () => {
    const other = await newKey();
    const url = tenantsUrl();
    const honest = { htm: 'GET', htu: url, token: bound };
    const cases: [string, () => Promise<string | string[] | undefined>][] = [
      ['no proof', async () => undefined],
      ['wrong htm', () => proof(key, { ...honest, htm: 'POST' })],
      ['wrong htu path', () => proof(key, { ...honest, htu: `${server().url}/api/tenants/x` })],
      ['wrong htu origin', () => proof(key, { ...honest, htu: 'https://evil.example/api/tenants' })],
      ['htu not a URL', () => proof(key, { ...honest, htu: 'api/tenants' })],
      ['wrong ath', () => proof(key, { ...honest, token: `${bound}x` })],
      ['no ath', () => proof(key, { htm: 'GET', htu: url })],
      ['another key', () => proof(other, honest)],
      ['stale iat', () => proof(key, { ...honest, iat: nowSeconds() - 300 })],
      ['iat in the future', () => proof(key, { ...honest, iat: nowSeconds() + 300 })],
      ['no jti', () => proof(key, { ...honest, claims: { jti: undefined } })],
      ['typ JWT', () => proof(key, { ...honest, header: { typ: 'JWT' } })],
      ['no jwk', () => proof(key, { ...honest, header: { jwk: undefined } })],
      ['bad signature', async () => `${(await proof(key, honest)).slice(0, -4)}AAAA`],
      [
        'HS256 (symmetric)',
        async () =>
          new jose.SignJWT({ htm: 'GET', htu: url, iat: nowSeconds(), jti: randomUUID(), ath: hashOf(bound) })
            .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: await jose.exportJWK(key.pair.publicKey) })
            .sign(new Uint8Array(32)),
      ],
      ['alg not advertised (PS256)', async () => proof(await newKey('PS256'), honest)],
      [
        'private key in the jwk header',
        async () => {
          const leaky = await newKey('ES256', true);
          return proof(leaky, { ...honest, header: { jwk: await jose.exportJWK(leaky.pair.privateKey) } });
        },
      ],
      [
        'a jwk that is no key',
        () => proof(key, { ...honest, header: { jwk: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' } } }),
      ],
      ['a jwk of another type', () => proof(key, { ...honest, header: { jwk: { kty: 'oct', k: 'AAAA' } } })],
      ['two proofs', async () => [await proof(key, honest), await proof(key, honest)]],
    ];
    for (const [why, make] of cases)
      await assertDpopRefusal(await callApi(`DPoP ${bound}`, await make()), 'invalid_dpop_proof', why);
  });

  test('a proof is accepted once: replayed, even to another instance on the same database, it is refused', async () => {
    const once = await proof(key, { htm: 'GET', htu: tenantsUrl(), token: bound });
    assert.equal((await callApi(`DPoP ${bound}`, once)).status, 200);
    await assertDpopRefusal(await callApi(`DPoP ${bound}`, once), 'invalid_dpop_proof', 'replayed');
    const again = await proof(key, { htm: 'GET', htu: tenantsUrl(), token: bound });
    assert.equal((await callApi(`DPoP ${bound}`, again)).status, 200);
    await server().restart(); // a new instance: nothing of the first one's memory survives
    await assertDpopRefusal(
      await callApi(`DPoP ${bound}`, again),
      'invalid_dpop_proof',
      'replayed to another instance',
    );
  });

  test('htu is checked against ISSUER, never against the Host header the client sent', async () => {
    const { hostname, port } = new URL(server().url);
    const forged = await proof(key, { htm: 'GET', htu: 'http://evil.example/api/tenants', token: bound });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: hostname,
          port,
          path: '/api/tenants',
          headers: { host: 'evil.example', authorization: `DPoP ${bound}`, dpop: forged },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 401);
  });

  test('each advertised algorithm works end to end: a token bound to such a key, a proof signed with it', async () => {
    for (const alg of DPOP_ALGS) {
      const algKey = await newKey(alg);
      const res = await boundToken(algKey);
      assert.equal(res.status, 200, `${alg}: ${await res.clone().text()}`);
      const { access_token: token } = (await res.json()) as { access_token: string };
      const api = await callApi(`DPoP ${token}`, await proof(algKey, { htm: 'GET', htu: tenantsUrl(), token }));
      assert.equal(api.status, 200, `${alg}: ${await api.text()}`);
    }
  });

  test('the token endpoint refuses a proof signed with an algorithm that is not advertised', async () => {
    const res = await boundToken(await newKey('PS256'));
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_dpop_proof');
  });

  test('a token that is not bound still works as Bearer, and is refused with the DPoP scheme', async () => {
    const plain = await clientToken(server(), { manage: true });
    assert.equal(payloadOf(plain).cnf, undefined);
    assert.equal((await callApi(`Bearer ${plain}`)).status, 200);
    await assertDpopRefusal(
      await callApi(`DPoP ${plain}`, await proof(key, { htm: 'GET', htu: tenantsUrl(), token: plain })),
      'invalid_token',
      'plain token as DPoP',
    );
  });
});
