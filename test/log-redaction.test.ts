// No password, code, token or secret reaches the logs, access logs included, across a full flow.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as oidc from 'openid-client';
import { OutboxMessage } from '../server/db/entities/index.js';
import { createClient } from '../server/oidc/clients.js';
import { describeWithServer, type TestServer } from './support/server.js';
import { UserAgent } from './support/user-agent.js';

describeWithServer('log redaction', (server: () => TestServer) => {
  test('a full registration, sign-in, refresh, logout and reset flow leaves no secret in the logs', async () => {
    const secrets: string[] = [];
    const keep = (value: string | undefined) => { if (value) secrets.push(value); return value!; };
    const { id, secret } = await createClient(server().db, { name: 'App', redirectUris: [`${server().url}/app/callback`], postLogoutRedirectUris: ['https://app.example/out'] });
    keep(secret);
    const rp = await oidc.discovery(new URL(server().url), id, secret, undefined, { execute: [oidc.allowInsecureRequests] });
    const email = 'secretive@example.test';
    const password = keep('my very secret passphrase');
    const browser = new UserAgent(server().url);
    const mailLink = async (path: string) => {
      const mails = await server().db.read((m) => m.findBy(OutboxMessage, { recipient: email }));
      const link = mails.flatMap((m) => m.bodyText.match(/https?:\/\/\S+/g) ?? []).filter((l) => new URL(l).pathname === path).pop()!;
      keep(new URL(link).searchParams.get('code')!);
      return link;
    };

    const verifier = keep(oidc.randomPKCECodeVerifier());
    const state = keep(oidc.randomState());
    const nonce = keep(oidc.randomNonce());
    const authUrl = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: `${server().url}/app/callback`, scope: 'openid email', state, nonce, login_hint: email,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const login = await browser.follow(authUrl.href);
    keep(/name="_csrf" value="([^"]+)"/.exec(login.html)?.[1]);
    const form = await browser.follow(new URL(/href="(\/interaction\/[^"]+\/register)"/.exec(login.html)![1]!, server().url).href);
    await browser.submit(form, /\/register$/, { name: 'S', email, password });
    await browser.submit(await browser.follow(await mailLink('/verify-email')), '/verify-email');
    const consent = await browser.submit(await browser.follow(authUrl.href), /\/login$/, { email, password });
    const callback = await browser.submit(consent, /\/consent$/);
    const callbackUrl = new URL(callback.location!);
    keep(callbackUrl.searchParams.get('code')!);
    await browser.request(callbackUrl.href).catch(() => undefined); // the app's own page is not ours: 404 is fine
    const tokens = await oidc.authorizationCodeGrant(rp, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    keep(tokens.access_token); keep(tokens.id_token); keep(tokens.refresh_token);
    await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    keep(refreshed.access_token); keep(refreshed.refresh_token); keep(refreshed.id_token);
    await oidc.tokenIntrospection(rp, refreshed.access_token);
    const logout = await browser.follow(oidc.buildEndSessionUrl(rp, { id_token_hint: refreshed.id_token!, post_logout_redirect_uri: 'https://app.example/out', state }).href);
    await browser.submit(logout, /\/session\/end\/confirm$/, { logout: 'yes' });
    await browser.submit(await browser.follow('/reset-password'), '/reset-password', { email });
    const resetForm = await browser.follow(await mailLink('/reset-password/new'));
    await browser.submit(resetForm, '/reset-password/new', { password: keep('another secret passphrase') });
    await server().restart(); // cookies and codes also pass through start-up logging

    const logs = server().logs.join('');
    assert.match(logs, /"url":"\/token"/, 'the access log did record the requests');
    for (const value of secrets) {
      assert.ok(!logs.includes(value), `the logs contain a secret (${value.slice(0, 6)}…)`);
      assert.ok(!logs.includes(encodeURIComponent(value)), `the logs contain a URL-encoded secret (${value.slice(0, 6)}…)`);
    }
  });
});
