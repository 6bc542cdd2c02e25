// Protocol tests: openid-client as a real relying party against a running Tessera, on each database.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { UserAgent } from '../../test/support/user-agent.js';
import { createClient } from './clients.js';

const PASSWORD = 'correct horse battery staple';

interface SignedIn {
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  browser: UserAgent;
}

describeWithServer('OpenID Connect protocol', (server: () => TestServer) => {
  let rp: oidc.Configuration;
  let redirectUri: string;
  let clientId: string;
  let clientSecret: string;
  let email: string;

  before(async () => {
    redirectUri = `${server().url}/app/callback`;
    const created = await createClient(server().db, {
      name: 'Test app',
      redirectUris: [redirectUri],
      postLogoutRedirectUris: ['https://app.example/signed-out'],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    clientId = created.id;
    clientSecret = created.secret!;
    rp = await oidc.discovery(new URL(server().url), clientId, clientSecret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    email = `ada-${Date.now()}@example.test`;
    await server().tessera.accounts.createAccount({ email, name: 'Ada Lovelace', password: PASSWORD, verified: true });
  });

  /** Authorization code + PKCE through the real login and consent pages. */
  async function signIn(extra: Record<string, string> = {}): Promise<SignedIn> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    const browser = new UserAgent(server().url);
    const login = await browser.follow(url.href);
    assert.equal(login.status, 200, login.html);
    const consent = await browser.submit(login, /\/login$/, { email, password: PASSWORD });
    const callback = await browser.submit(consent, /\/consent$/);
    assert.ok(
      callback.location?.startsWith(redirectUri),
      `expected a redirect to the app, got ${callback.status} ${callback.location}`,
    );
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(callback.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    return { tokens, browser };
  }

  test('a person signs in with code + PKCE and the app gets an ES256 ID token with their claims', async () => {
    const { tokens } = await signIn();
    const claims = tokens.claims()!;
    assert.equal(claims.email, email);
    assert.equal(claims.email_verified, true);
    assert.equal(claims.name, 'Ada Lovelace');
    assert.equal(jose.decodeProtectedHeader(tokens.id_token!).alg, 'ES256');
    assert.ok(tokens.refresh_token, 'a refresh token is issued');
  });

  test('userinfo answers with the standard claims of the granted scopes', async () => {
    const { tokens } = await signIn();
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    assert.equal(info.email, email);
    assert.equal(info.name, 'Ada Lovelace');
  });

  test('refresh rotates the refresh token and the old one is refused afterwards', async () => {
    const { tokens } = await signIn();
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    assert.ok(refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    await assert.rejects(
      oidc.refreshTokenGrant(rp, tokens.refresh_token!),
      (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
    );
  });

  test('an authorization code works once: the second exchange is invalid_grant', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: redirectUri,
      scope: 'openid',
      state: 's',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const browser = new UserAgent(server().url);
    const consent = await browser.submit(await browser.follow(url.href), /\/login$/, { email, password: PASSWORD });
    const callback = await browser.submit(consent, /\/consent$/);
    const code = new URL(callback.location!).searchParams.get('code')!;
    const exchange = () =>
      fetch(`${server().url}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: verifier,
        }),
      });
    assert.equal((await exchange()).status, 200);
    const second = await exchange();
    assert.equal(second.status, 400);
    assert.equal(((await second.json()) as { error: string }).error, 'invalid_grant');
  });

  test('client credentials give a JWT access token for the API whose signature verifies against the JWKS', async () => {
    const tokens = await oidc.clientCredentialsGrant(rp, { resource: `${server().url}/api` });
    const jwks = jose.createRemoteJWKSet(new URL(`${server().url}/jwks`));
    const { payload, protectedHeader } = await jose.jwtVerify(tokens.access_token, jwks, {
      issuer: server().url,
      audience: `${server().url}/api`,
      typ: 'at+jwt',
    });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.client_id, clientId);
  });

  test('introspection reports an active token, and revocation makes it inactive', async () => {
    const { tokens } = await signIn();
    const before = await oidc.tokenIntrospection(rp, tokens.refresh_token!);
    assert.equal(before.active, true);
    await oidc.tokenRevocation(rp, tokens.refresh_token!);
    const afterRevoke = await oidc.tokenIntrospection(rp, tokens.refresh_token!);
    assert.equal(afterRevoke.active, false);
    await assert.rejects(
      oidc.refreshTokenGrant(rp, tokens.refresh_token!),
      (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
    );
  });

  test('RP-initiated logout asks for confirmation, ends the session, and returns to the registered URI', async () => {
    const { tokens, browser } = await signIn();
    const endSession = oidc.buildEndSessionUrl(rp, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'https://app.example/signed-out',
    });
    const confirm = await browser.follow(endSession.href);
    assert.equal(confirm.status, 200);
    assert.match(confirm.html, /Sign out\?/);
    const done = await browser.submit(confirm, /\/session\/end\/confirm$/, { logout: 'yes' });
    assert.equal(done.location, 'https://app.example/signed-out');
    // The session is gone: a new authorization request shows the login page again.
    const verifier = oidc.randomPKCECodeVerifier();
    const again = await browser.follow(
      oidc.buildAuthorizationUrl(rp, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      }).href,
    );
    assert.match(again.html, /action="\/interaction\/[^"]+\/login"/);
  });

  test('a wrong client secret is invalid_client', async () => {
    const wrong = await oidc.discovery(new URL(server().url), clientId, 'not-the-secret', undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    await assert.rejects(
      oidc.clientCredentialsGrant(wrong, {}),
      (e: oidc.ResponseBodyError) => e.error === 'invalid_client',
    );
  });

  test('an unregistered redirect URI is refused on a page, never redirected to', async () => {
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: 'https://attacker.example/callback',
      scope: 'openid',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    });
    const page = await new UserAgent(server().url).request(url.href);
    assert.equal(page.status, 400);
    assert.equal(page.location, undefined);
    assert.match(page.html, /This app is not set up correctly/);
  });

  test('an authorization request without PKCE is refused with invalid_request', async () => {
    const url = oidc.buildAuthorizationUrl(rp, { redirect_uri: redirectUri, scope: 'openid', state: 'abc' });
    const page = await new UserAgent(server().url).request(url.href);
    const back = new URL(page.location!);
    assert.equal(back.origin + back.pathname, redirectUri);
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.match(back.searchParams.get('error_description') ?? '', /PKCE/);
  });
});
