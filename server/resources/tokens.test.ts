// Access tokens for an app's own API, with openid-client as the app: the permissions a person holds through
// their roles in the active tenant, re-read at every issuance; switching tenant with the refresh grant; a
// client-credentials token tied to a tenant.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { memberOf, person, signIn } from '../../test/support/tokens.js';
import { UserAgent } from '../../test/support/user-agent.js';
import { configureClient, createClient } from '../oidc/clients.js';
import type { Caller } from '../tenants/access.js';
import { insertMembership } from '../tenants/service.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };
const insecure = { execute: [oidc.allowInsecureRequests] };
const AUDIENCE = 'https://invoices.example/api';

interface AtClaims extends jose.JWTPayload {
  scope?: string;
  client_id: string;
  active_tenant?: { tenant_id: string; tenant_name: string; roles: string[] };
  all_tenants?: { tenant_id: string }[];
}

describeWithServer("access tokens for an app's own API", (server: () => TestServer) => {
  let acme: string;
  let globex: string;
  let resourceId: string;
  let app: oidc.Configuration;

  /** Verifies an access token the way docs/apis.md tells a backend to. */
  async function verified(token: string): Promise<{ header: jose.JWTHeaderParameters; claims: AtClaims }> {
    const jwks = jose.createRemoteJWKSet(new URL(`${server().url}/jwks`));
    const { payload, protectedHeader } = await jose.jwtVerify<AtClaims>(token, jwks, {
      issuer: server().url,
      audience: AUDIENCE,
      typ: 'at+jwt',
    });
    return { header: protectedHeader, claims: payload };
  }

  before(async () => {
    const { tenants, resources } = server().tessera;
    acme = (await tenants.create(backend, { name: 'Acme Resources' })).id;
    globex = (await tenants.create(backend, { name: 'Globex Resources' })).id;
    resourceId = (
      await resources.create({
        audience: AUDIENCE,
        name: 'Invoices',
        permissions: ['invoices:read', 'invoices:write', 'reports:read'],
        accessTokenTtl: 300,
      })
    ).id;
    await resources.setRolePermissions(backend, acme, resourceId, 'tenant-user', ['invoices:read']);
    const { id, secret } = await createClient(server().db, {
      name: 'Invoices app',
      redirectUris: [`${server().url}/app/callback`],
      firstParty: true,
    });
    await configureClient(server().db, id, { defaultResource: AUDIENCE });
    app = await oidc.discovery(new URL(server().url), id, secret, undefined, insecure);
  });

  /** A person who is tenant-user of Acme and tenant-admin of Globex. */
  const memberOfBoth = (name: string) =>
    memberOf(server(), name, { [acme]: ['tenant-user'], [globex]: ['tenant-admin'] });

  const scope = 'openid tenants invoices:read invoices:write';

  test('a tenant-user of the active tenant gets an at+jwt for the API with the permissions of that role', async () => {
    const who = await memberOfBoth('Ada');
    const { tokens } = await signIn(server(), who, { app, scope, params: { tenant_hint: acme } });
    const { header, claims } = await verified(tokens.access_token);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.alg, 'ES256');
    assert.equal(claims.aud, AUDIENCE);
    assert.equal(claims.sub, who.id);
    assert.equal(claims.scope, 'invoices:read');
    assert.equal(claims.active_tenant?.tenant_id, acme);
    assert.deepEqual(claims.active_tenant?.roles, ['tenant-user']);
    assert.deepEqual(claims.all_tenants?.map((t) => t.tenant_id).sort(), [acme, globex].sort());
    assert.equal(claims.exp! - claims.iat!, 300, "the resource's own lifetime");
    assert.equal(tokens.expires_in, 300);
  });

  test("a role's new permissions show at the next refresh, and taken ones leave it", async () => {
    const who = await memberOfBoth('Grace');
    const { tokens } = await signIn(server(), who, { app, scope, params: { tenant_hint: acme } });
    const { resources } = server().tessera;
    await resources.setRolePermissions(backend, acme, resourceId, 'tenant-user', ['invoices:read', 'invoices:write']);
    const more = await oidc.refreshTokenGrant(app, tokens.refresh_token!);
    assert.equal((await verified(more.access_token)).claims.scope, 'invoices:read invoices:write');
    assert.equal(more.scope, 'invoices:read invoices:write');
    await resources.setRolePermissions(backend, acme, resourceId, 'tenant-user', []);
    const fewer = await oidc.refreshTokenGrant(app, more.refresh_token!);
    assert.equal((await verified(fewer.access_token)).claims.scope, undefined, 'no permission left');
    await resources.setRolePermissions(backend, acme, resourceId, 'tenant-user', ['invoices:read']);
  });

  test("refresh with tenant=<slug> switches the grant's active tenant; the rotated refresh token keeps it", async () => {
    const who = await memberOfBoth('Linus');
    const { tokens } = await signIn(server(), who, { app, scope, params: { tenant_hint: acme } });
    const switched = await oidc.refreshTokenGrant(app, tokens.refresh_token!, { tenant: 'globex-resources' });
    const { claims } = await verified(switched.access_token);
    assert.equal(claims.active_tenant?.tenant_id, globex);
    assert.equal(claims.scope, 'invoices:read invoices:write', 'tenant-admin holds every requested permission');
    assert.equal(
      (switched.claims() as { active_tenant?: { tenant_id: string } }).active_tenant?.tenant_id,
      globex,
      'the new ID token names the tenant too',
    );
    const next = await oidc.refreshTokenGrant(app, switched.refresh_token!);
    assert.equal((await verified(next.access_token)).claims.active_tenant?.tenant_id, globex);
    const back = await oidc.refreshTokenGrant(app, next.refresh_token!, { tenant: acme });
    assert.equal((await verified(back.access_token)).claims.active_tenant?.tenant_id, acme);
    assert.equal((await verified(back.access_token)).claims.scope, 'invoices:read');
  });

  test('a member of one tenant who asks to switch to another gets invalid_target; the refresh token still works', async () => {
    const who = await person(server(), 'Mallory');
    await server().db.transaction((m) => insertMembership(m, acme, who.id, ['tenant-user'], null));
    const { tokens } = await signIn(server(), who, { app, scope });
    for (const tenant of [globex, 'globex-resources', 'no-such-tenant']) {
      await assert.rejects(
        oidc.refreshTokenGrant(app, tokens.refresh_token!, { tenant }),
        (e: oidc.ResponseBodyError) => e.error === 'invalid_target' && /not a member/.test(e.error_description ?? ''),
      );
    }
    const still = await oidc.refreshTokenGrant(app, tokens.refresh_token!);
    assert.equal((await verified(still.access_token)).claims.active_tenant?.tenant_id, acme);
  });

  test('a client tied to a tenant gets client-credentials tokens with the permissions of its roles there', async () => {
    const { id, secret } = await createClient(server().db, {
      name: 'Acme sync job',
      redirectUris: [],
      grantTypes: ['client_credentials'],
    });
    await configureClient(server().db, id, { defaultResource: AUDIENCE, tenant: { id: acme, roles: ['tenant-user'] } });
    const job = await oidc.discovery(new URL(server().url), id, secret, undefined, insecure);
    const tokens = await oidc.clientCredentialsGrant(job, { scope: 'invoices:read invoices:write tenants' });
    const { claims } = await verified(tokens.access_token);
    assert.equal(claims.sub, id);
    assert.equal(claims.scope, 'invoices:read');
    assert.deepEqual(claims.active_tenant, { tenant_id: acme, tenant_name: 'Acme Resources', roles: ['tenant-user'] });
    assert.deepEqual(claims.all_tenants, [claims.active_tenant]);
  });

  test('a client tied to no tenant holds no permission of the API', async () => {
    const { id, secret } = await createClient(server().db, {
      name: 'Loose job',
      redirectUris: [],
      grantTypes: ['client_credentials'],
    });
    const job = await oidc.discovery(new URL(server().url), id, secret, undefined, insecure);
    const tokens = await oidc.clientCredentialsGrant(job, { scope: 'invoices:read', resource: AUDIENCE });
    const { claims } = await verified(tokens.access_token);
    assert.equal(claims.scope, undefined);
    assert.equal(claims.active_tenant, undefined);
  });

  test('an unregistered resource is invalid_target', async () => {
    const who = await memberOfBoth('Eve');
    const { tokens } = await signIn(server(), who, { app, scope, params: { tenant_hint: acme } });
    await assert.rejects(
      oidc.refreshTokenGrant(app, tokens.refresh_token!, { resource: 'https://elsewhere.example/api' }),
      (e: oidc.ResponseBodyError) => e.error === 'invalid_target',
    );
  });

  test("a third-party app's consent page names the API permissions it asks for", async () => {
    const who = await memberOfBoth('Consenting');
    const { id, secret } = await createClient(server().db, {
      name: 'Partner app',
      redirectUris: [`${server().url}/app/callback`],
    });
    await configureClient(server().db, id, { defaultResource: AUDIENCE });
    const partner = await oidc.discovery(new URL(server().url), id, secret, undefined, insecure);
    const url = oidc.buildAuthorizationUrl(partner, {
      redirect_uri: `${server().url}/app/callback`,
      scope: 'openid invoices:read',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const browser = new UserAgent(server().url);
    const login = await browser.follow(url.href);
    const consent = await browser.submit(login, /\/login$/, { email: who.email, password: who.password });
    assert.match(consent.html, /Use invoices:read in https:\/\/invoices\.example\/api/);
  });
});
