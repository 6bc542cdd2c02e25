// The same flows with another relying-party library, oauth4webapi (private_key_jwt, RS256 ID tokens, which it
// expects by default), and a backend that checks the tokens with docs/examples/check-token.ts, the code
// docs/apis.md shows.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import { Refused, tokenChecker } from '../../docs/examples/check-token.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, memberOf, type Person, person } from '../../test/support/tokens.js';
import { UserAgent } from '../../test/support/user-agent.js';
import { configureClient, createClient } from '../oidc/clients.js';
import type { Caller } from '../tenants/access.js';
import { insertMembership } from '../tenants/service.js';
import { MembershipRole } from '../db/entities/index.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };
const AUDIENCE = 'https://projects.example/api';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

/** The invoices backend of docs/apis.md: GET /projects needs projects:read and answers for the active tenant. */
async function startBackend(issuer: string): Promise<{ url: string; server: Server }> {
  const check = tokenChecker({ issuer, audience: AUDIENCE });
  const server = createServer(async (req, res) => {
    try {
      const token = await check(req.headers.authorization, 'projects:read');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ tenant: token.active_tenant?.tenant_id ?? null, caller: token.sub }));
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      res.writeHead(error.status, { 'www-authenticate': `Bearer error="${error.error}"` });
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/projects`, server };
}

describeWithServer('oauth4webapi and a backend checking tokens with jose', (server: () => TestServer) => {
  let as: oauth.AuthorizationServer;
  let app: oauth.Client;
  let appAuth: oauth.ClientAuth;
  let acme: string;
  let globex: string;
  let api: { url: string; server: Server };

  before(async () => {
    const { tenants, resources } = server().tessera;
    acme = (await tenants.create(backend, { name: 'Acme Projects' })).id;
    globex = (await tenants.create(backend, { name: 'Globex Projects' })).id;
    const resource = await resources.create({
      audience: AUDIENCE,
      name: 'Projects',
      permissions: ['projects:read', 'projects:write'],
      signingAlg: 'RS256',
      isPublic: true,
    });
    await resources.setRolePermissions(backend, acme, resource.id, 'tenant-user', ['projects:read']);

    // The app authenticates with a key pair of its own (private_key_jwt) and wants RS256 ID tokens.
    const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const { id } = await createClient(server().db, {
      name: 'Projects app',
      redirectUris: [`${server().url}/app/callback`],
      firstParty: true,
    });
    await configureClient(server().db, id, {
      defaultResource: AUDIENCE,
      authMethod: 'private_key_jwt',
      jwks: { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'app-key-1', alg: 'ES256', use: 'sig' }] },
      idTokenAlg: 'RS256',
    });
    app = { client_id: id };
    appAuth = oauth.PrivateKeyJwt({ key: privateKey, kid: 'app-key-1' });
    const issuer = new URL(server().url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
    api = await startBackend(server().url);
  });

  after(() => {
    api?.server.close();
  });

  /** Code + PKCE through the real pages, with oauth4webapi doing the app's part. */
  async function signIn(who: Person, extra: Record<string, string> = {}): Promise<oauth.TokenEndpointResponse> {
    const verifier = oauth.generateRandomCodeVerifier();
    const redirectUri = `${server().url}/app/callback`;
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: app.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid tenants projects:read projects:write',
      state: 'st',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    }).toString();
    const browser = new UserAgent(server().url);
    const login = await browser.follow(url.href);
    const back = await browser.submit(login, /\/login$/, { email: who.email, password: who.password });
    assert.ok(back.location?.startsWith(redirectUri), `back at the app: ${back.status} ${back.html.slice(0, 300)}`);
    const params = oauth.validateAuthResponse(as, app, new URL(back.location!), 'st');
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      app,
      appAuth,
      params,
      redirectUri,
      verifier,
      insecure,
    );
    return oauth.processAuthorizationCodeResponse(as, app, response, { expectedNonce: oauth.expectNoNonce });
  }

  async function refresh(token: string, extra: Record<string, string> = {}): Promise<oauth.TokenEndpointResponse> {
    const response = await oauth.refreshTokenGrantRequest(as, app, appAuth, token, {
      ...insecure,
      additionalParameters: extra,
    });
    return oauth.processRefreshTokenResponse(as, app, response);
  }

  const call = (token: string) => fetch(api.url, { headers: { authorization: `Bearer ${token}` } });

  /** A person who is tenant-user of Acme and tenant-admin of Globex. */
  const memberOfBoth = (name: string) =>
    memberOf(server(), name, { [acme]: ['tenant-user'], [globex]: ['tenant-admin'] });

  test('discovery lists the public permissions, the API scopes and select_tenant; the app signs in with RS256 ID tokens', async () => {
    assert.ok(as.scopes_supported?.includes('projects:read'));
    assert.ok(as.scopes_supported?.includes('tenants:admin') && as.scopes_supported.includes('tenants:manage'));
    assert.ok((as.prompt_values_supported as string[]).includes('select_tenant'));
    const who = await memberOfBoth('Ada');
    const tokens = await signIn(who, { tenant_hint: acme });
    assert.equal(jose.decodeProtectedHeader(tokens.id_token!).alg, 'RS256');
    assert.equal(oauth.getValidatedIdTokenClaims(tokens)?.sub, who.id);
    assert.equal(jose.decodeProtectedHeader(tokens.access_token).alg, 'RS256', "the resource's algorithm");
  });

  test('the backend accepts the token for the active tenant and refuses it once the role loses the permission', async () => {
    const who = await memberOfBoth('Grace');
    const tokens = await signIn(who, { tenant_hint: acme });
    const ok = await call(tokens.access_token);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { tenant: acme, caller: who.id });

    const { resources } = server().tessera;
    const [mapping] = (await resources.mappingOf(backend, acme)).filter((r) => r.resource.audience === AUDIENCE);
    await resources.setRolePermissions(backend, acme, mapping!.resource.id, 'tenant-user', []);
    const after = await refresh(tokens.refresh_token!);
    assert.equal((await call(after.access_token)).status, 403);
    await resources.setRolePermissions(backend, acme, mapping!.resource.id, 'tenant-user', ['projects:read']);
  });

  test('refresh with tenant switches to Globex for the backend too; a non-member asking for Globex gets invalid_target', async () => {
    const who = await memberOfBoth('Linus');
    const tokens = await signIn(who, { tenant_hint: acme });
    const switched = await refresh(tokens.refresh_token!, { tenant: globex });
    assert.deepEqual(await (await call(switched.access_token)).json(), { tenant: globex, caller: who.id });

    const outsider = await person(server(), 'Mallory');
    await server().db.transaction((m) => insertMembership(m, acme, outsider.id, ['tenant-user'], null));
    const theirs = await signIn(outsider);
    await assert.rejects(
      refresh(theirs.refresh_token!, { tenant: 'globex-projects' }),
      (e: oauth.ResponseBodyError) => e.error === 'invalid_target',
    );
  });

  test('a client-credentials token tied to a tenant passes the backend with that tenant', async () => {
    const { id, secret } = await createClient(server().db, {
      name: 'Acme projects sync',
      redirectUris: [],
      grantTypes: ['client_credentials'],
    });
    await configureClient(server().db, id, {
      authMethod: 'client_secret_jwt',
      tenant: { id: acme, roles: ['tenant-user'] },
    });
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      { client_id: id },
      oauth.ClientSecretJwt(secret!),
      { scope: 'projects:read projects:write', resource: AUDIENCE },
      insecure,
    );
    const tokens = await oauth.processClientCredentialsResponse(as, { client_id: id }, response);
    assert.equal(tokens.scope, 'projects:read');
    assert.deepEqual(await (await call(tokens.access_token)).json(), { tenant: acme, caller: id });
  });

  test('the backend refuses an ID token, a Management API token and a forged token with 401', async () => {
    const who = await memberOfBoth('Eve');
    const tokens = await signIn(who, { tenant_hint: acme });
    const forged = `${tokens.access_token.slice(0, -4)}AAAA`;
    for (const token of [tokens.id_token!, await clientToken(server(), { manage: true }), forged])
      assert.equal((await call(token)).status, 401);
  });

  test('a role past its end grants no permission from the next refresh on (checked at issuance)', async () => {
    const who = await memberOf(server(), 'Temp', { [acme]: ['tenant-user', 'tenant-admin'] });
    const tokens = await signIn(who, { tenant_hint: acme });
    const scopes = (t: oauth.TokenEndpointResponse) => String(jose.decodeJwt(t.access_token).scope).split(' ');
    assert.ok(scopes(tokens).includes('projects:write'), 'tenant-admin holds every permission');
    await server().db.write((m) =>
      m
        .createQueryBuilder()
        .update(MembershipRole)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(
          'tenant_id = :acme AND role = :role AND membership_id IN (SELECT id FROM memberships WHERE account_id = :who)',
          {
            acme,
            role: 'tenant-admin',
            who: who.id,
          },
        )
        .execute(),
    );
    const after = await refresh(tokens.refresh_token!);
    assert.ok(!scopes(after).includes('projects:write'), 'the ended tenant-admin role grants nothing');
    assert.ok(scopes(after).includes('projects:read'), 'the current tenant-user role still does');
  });
});
