// What discovery promises and what the token endpoints keep: prompt values, scopes, lifetimes as documented,
// introspection of JWT access tokens (active, with their claims), revocation of them answered per RFC 7009, and
// the tenant claims in an opaque token's introspection.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as oidc from 'openid-client';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { type Person, person, signIn } from '../../test/support/tokens.js';
import type { Caller } from '../tenants/access.js';
import { insertMembership } from '../tenants/service.js';
import { configureClient, createClient, deleteClient } from './clients.js';
import { TTL } from './protocol.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };
const insecure = { execute: [oidc.allowInsecureRequests] };
const AUDIENCE = 'https://reports.example';

describeWithServer('discovery and the token endpoints', (server: () => TestServer) => {
  let tenantId: string;
  let who: Person;
  let app: oidc.Configuration;

  before(async () => {
    tenantId = (await server().tessera.tenants.create(backend, { name: 'Surface' })).id;
    await server().tessera.resources.create({ audience: AUDIENCE, name: 'Reports', permissions: ['reports:read'] });
    who = await person(server(), 'Surface');
    await server().db.transaction((m) => insertMembership(m, tenantId, who.id, ['tenant-admin'], null));
    const created = await createClient(server().db, {
      name: 'Reports app',
      redirectUris: [`${server().url}/app/callback`],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      firstParty: true,
    });
    app = await oidc.discovery(new URL(server().url), created.id, created.secret, undefined, insecure);
  });

  test('discovery lists the prompts an app may ask for and the scopes of the Management API; no private resource', async () => {
    const meta = app.serverMetadata();
    assert.deepEqual(meta.prompt_values_supported, ['none', 'login', 'consent', 'select_tenant']);
    for (const scope of ['openid', 'tenants', 'tenants:admin', 'tenants:manage'])
      assert.ok(meta.scopes_supported?.includes(scope));
    assert.ok(!meta.scopes_supported?.includes('reports:read'), 'a resource not registered as public stays unlisted');
    assert.deepEqual([...(meta.id_token_signing_alg_values_supported ?? [])].sort(), ['ES256', 'RS256']);
    for (const method of ['client_secret_jwt', 'private_key_jwt'])
      assert.ok(meta.token_endpoint_auth_methods_supported?.includes(method));
  });

  test('lifetimes are the documented ones: Management API 15 min, opaque 1 h, an API resource its own', async () => {
    const management = await oidc.clientCredentialsGrant(app, { scope: 'tenants:admin' });
    assert.equal(management.expires_in, TTL.ApiAccessToken);
    assert.equal(TTL.ApiAccessToken, 900);
    const { tokens } = await signIn(server(), who, {
      app,
      scope: 'openid tenants reports:read',
      params: { resource: AUDIENCE },
    });
    assert.equal(tokens.expires_in, 3600, 'the opaque userinfo token');
    const forApi = await oidc.refreshTokenGrant(app, tokens.refresh_token!, { resource: AUDIENCE });
    assert.equal(forApi.expires_in, 900, "the resource's default lifetime");
  });

  test('a JWT access token introspects as active with its claims, and inactive once its client is deleted', async () => {
    const { tokens } = await signIn(server(), who, {
      app,
      scope: 'openid tenants reports:read',
      params: { resource: AUDIENCE },
    });
    const jwt = (await oidc.refreshTokenGrant(app, tokens.refresh_token!, { resource: AUDIENCE })).access_token;
    const answer = await oidc.tokenIntrospection(app, jwt);
    assert.equal(answer.active, true);
    assert.equal(answer.aud, AUDIENCE);
    assert.equal(answer.sub, who.id);
    assert.equal(answer.scope, 'reports:read');
    assert.equal(answer.token_type, 'Bearer');
    assert.equal((answer.active_tenant as { tenant_id: string }).tenant_id, tenantId);
    assert.equal((await oidc.tokenIntrospection(app, `${jwt.slice(0, -4)}AAAA`)).active, false, 'a forged one');

    const other = await createClient(server().db, {
      name: 'Gone',
      redirectUris: [],
      grantTypes: ['client_credentials'],
    });
    const gone = await oidc.discovery(new URL(server().url), other.id, other.secret, undefined, insecure);
    const itsToken = (await oidc.clientCredentialsGrant(gone, { scope: 'tenants:admin' })).access_token;
    assert.equal((await oidc.tokenIntrospection(app, itsToken)).active, true);
    await deleteClient(server().db, other.id);
    assert.equal((await oidc.tokenIntrospection(app, itsToken)).active, false);
  });

  test('revoking a JWT access token is answered unsupported_token_type (RFC 7009 2.2.1); refresh tokens revoke', async () => {
    const jwt = (await oidc.clientCredentialsGrant(app, { scope: 'tenants:admin' })).access_token;
    await assert.rejects(
      oidc.tokenRevocation(app, jwt),
      (e: oidc.ResponseBodyError) => e.status === 400 && e.error === 'unsupported_token_type',
    );
  });

  test("an opaque access token's introspection carries the tenant claims", async () => {
    const { tokens } = await signIn(server(), who, { app, scope: 'openid tenants' });
    const answer = await oidc.tokenIntrospection(app, tokens.access_token);
    assert.equal(answer.active, true);
    assert.deepEqual(answer.active_tenant, { tenant_id: tenantId, tenant_name: 'Surface', roles: ['tenant-admin'] });
    assert.equal((answer.all_tenants as unknown[]).length, 1);
  });

  test('a client registered for RS256 ID tokens gets them; one for private_key_jwt without keys is refused', async () => {
    const created = await createClient(server().db, {
      name: 'RS256 app',
      redirectUris: [`${server().url}/app/callback`],
      firstParty: true,
    });
    await configureClient(server().db, created.id, { idTokenAlg: 'RS256' });
    const rs256 = await oidc.discovery(new URL(server().url), created.id, created.secret, undefined, insecure);
    const { tokens } = await signIn(server(), who, { app: rs256, scope: 'openid' });
    const [header] = tokens.id_token!.split('.');
    assert.equal(JSON.parse(Buffer.from(header!, 'base64url').toString()).alg, 'RS256');
    await assert.rejects(
      configureClient(server().db, created.id, { authMethod: 'private_key_jwt' }),
      /needs the client's public keys/,
    );
  });
});
