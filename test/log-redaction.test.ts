// No password, code, token or secret reaches the logs, access logs included, across a full flow.
import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { test } from 'node:test';
import * as oidc from 'openid-client';
import { OutboxMessage } from '../server/db/entities/index.js';
import { createClient } from '../server/oidc/clients.js';
import { newPhoneNumber } from './support/phones.js';
import { describeWithServer, type TestServer } from './support/server.js';
import { person, signIn } from './support/tokens.js';
import { UserAgent } from './support/user-agent.js';

describeWithServer('log redaction', (server: () => TestServer) => {
  test('a full registration, sign-in, refresh, logout and reset flow leaves no secret in the logs', async () => {
    const secrets: string[] = [];
    const keep = (value: string | undefined) => {
      if (value) secrets.push(value);
      return value!;
    };
    const { id, secret } = await createClient(server().db, {
      name: 'App',
      redirectUris: [`${server().url}/app/callback`],
      postLogoutRedirectUris: ['https://app.example/out'],
    });
    keep(secret);
    const rp = await oidc.discovery(new URL(server().url), id, secret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const email = 'secretive@example.test';
    const password = keep('my very secret passphrase');
    const browser = new UserAgent(server().url);
    const mailLink = async (path: string) => {
      const mails = await server().db.read((m) => m.findBy(OutboxMessage, { recipient: email }));
      const link = mails
        .flatMap((m) => m.bodyText.match(/https?:\/\/\S+/g) ?? [])
        .filter((l) => new URL(l).pathname === path)
        .pop()!;
      keep(new URL(link).searchParams.get('code')!);
      return link;
    };

    const verifier = keep(oidc.randomPKCECodeVerifier());
    const state = keep(oidc.randomState());
    const nonce = keep(oidc.randomNonce());
    const authUrl = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: `${server().url}/app/callback`,
      scope: 'openid email',
      state,
      nonce,
      login_hint: email,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const login = await browser.follow(authUrl.href);
    keep(/name="_csrf" value="([^"]+)"/.exec(login.html)?.[1]);
    const form = await browser.follow(
      new URL(/href="(\/interaction\/[^"]+\/register)"/.exec(login.html)![1]!, server().url).href,
    );
    await browser.submit(form, /\/register$/, { name: 'S', email, password });
    await browser.submit(await browser.follow(await mailLink('/verify-email')), '/verify-email');
    const consent = await browser.submit(await browser.follow(authUrl.href), /\/login$/, { email, password });
    const callback = await browser.submit(consent, /\/consent$/);
    const callbackUrl = new URL(callback.location!);
    keep(callbackUrl.searchParams.get('code')!);
    await browser.request(callbackUrl.href).catch(() => undefined); // the app's own page is not ours: 404 is fine
    const tokens = await oidc.authorizationCodeGrant(rp, callbackUrl, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    keep(tokens.access_token);
    keep(tokens.id_token);
    keep(tokens.refresh_token);
    await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    keep(refreshed.access_token);
    keep(refreshed.refresh_token);
    keep(refreshed.id_token);
    await oidc.tokenIntrospection(rp, refreshed.access_token);
    const logout = await browser.follow(
      oidc.buildEndSessionUrl(rp, {
        id_token_hint: refreshed.id_token!,
        post_logout_redirect_uri: 'https://app.example/out',
        state,
      }).href,
    );
    await browser.submit(logout, /\/session\/end\/confirm$/, { logout: 'yes' });
    await browser.submit(await browser.follow('/reset-password'), '/reset-password', { email });
    await server().tessera.accounts.settled(); // the reset mail is written after the answer
    const resetForm = await browser.follow(await mailLink('/reset-password/new'));
    await browser.submit(resetForm, '/reset-password/new', { password: keep('another secret passphrase') });
    await server().restart(); // cookies and codes also pass through start-up logging

    const logs = server().logs.join('');
    assert.match(logs, /"url":"\/token"/, 'the access log did record the requests');
    for (const value of secrets) {
      assert.ok(!logs.includes(value), `the logs contain a secret (${value.slice(0, 6)}…)`);
      assert.ok(
        !logs.includes(encodeURIComponent(value)),
        `the logs contain a URL-encoded secret (${value.slice(0, 6)}…)`,
      );
    }
  });
});

describeWithServer('log redaction of invitation tokens', (server: () => TestServer) => {
  test('both ways into an invitation leave no token (nor its signature) in any log line', async () => {
    const backend = { kind: 'client', clientId: 'b', manage: true } as const;
    const tenantId = (await server().tessera.tenants.create(backend, { name: 'Logless' })).id;
    const direct = (
      await server().tessera.invitations.create(backend, tenantId, {
        roles: ['tenant-user'],
        deliver: 'none',
        maxUses: 2,
      })
    ).token!;
    const viaApp = (
      await server().tessera.invitations.create(backend, tenantId, { roles: ['tenant-user'], deliver: 'none' })
    ).token!;
    const who = await person(server(), 'Logan');

    // 1. The direct link: landing page, sign in through the internal client, accept in the prompt, done page.
    const browser = new UserAgent(server().url);
    const landing = await browser.follow(`/tenants/invitation-tokens/${direct}`);
    const signInHref = /href="([^"]+)"[^>]*>Sign in</.exec(landing.html)![1]!.replace(/&amp;/g, '&');
    const prompt = await browser.submit(await browser.follow(signInHref), /\/login$/, {
      email: who.email,
      password: who.password,
    });
    assert.match(
      (await browser.submit(prompt, /\/invitation$/, { decision: 'accept' })).html,
      /You have joined Logless/,
    );

    // 2. An app's sign-in with invitation=<token>.
    const other = await person(server(), 'Other');
    const appBrowser = new UserAgent(server().url);
    await signIn(server(), other, {
      browser: appBrowser,
      params: { invitation: viaApp },
      onPage: (page) => appBrowser.submit(page, /\/invitation$/, { decision: 'accept' }),
    });

    // 3. A refused token is logged no more than a good one.
    await new UserAgent(server().url).request(`/tenants/invitation-tokens/${viaApp}`);

    const logs = server().logs.join('');
    assert.match(logs, /invitation-tokens\/\[redacted\]/, 'the landing request was logged, redacted');
    assert.match(logs, /invitation=\[redacted\]/, 'the authorization request was logged, redacted');
    for (const token of [direct, viaApp]) {
      assert.ok(!logs.includes(token), 'a whole token is in the logs');
      assert.ok(!logs.includes(token.split('.')[2]!), 'a token signature is in the logs');
      assert.ok(!logs.includes(token.split('.')[1]!), 'a token payload is in the logs');
    }
  });
});

/** One GET with the request target exactly as given: fetch and URL would normalise it first. */
function rawGet(origin: string, path: string): Promise<number> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: hostname, port, path, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within 10 s`)));
    req.on('error', reject);
  });
}

describeWithServer('log redaction of invitation links however they are spelled', (server: () => TestServer) => {
  test('an invitation token or short-link handle sent in another case or encoding reaches the route but not the logs', async () => {
    const backend = { kind: 'client', clientId: 'b', manage: true } as const;
    const tenantId = (await server().tessera.tenants.create(backend, { name: 'Spelled' })).id;
    const token = (
      await server().tessera.invitations.create(backend, tenantId, { roles: ['tenant-user'], deliver: 'none' })
    ).token!;
    const phone = newPhoneNumber();
    await server().tessera.invitations.create(backend, tenantId, { roles: ['tenant-user'], deliver: 'sms', phone });
    const sms = await server().db.read((m) => m.findOneByOrFail(OutboxMessage, { recipient: phone }));
    const handle = /\/i\/([\w-]{22})\b/.exec(sms.bodyText)![1]!;
    const encodeFirst = (s: string) => `%${s.charCodeAt(0).toString(16).toUpperCase()}${s.slice(1)}`;
    const [header, payload, signature] = token.split('.') as [string, string, string];

    // Each of these is answered by the invitation routes (303 to the invitation page), the last one of
    // this line sent in absolute form (GET http://host/I/… HTTP/1.1)...
    const routed = [
      `/I/${handle}`,
      `/i/${handle}/`,
      `/i/${encodeFirst(handle)}`,
      `/i/${handle}?x=1`,
      `${server().url}/I/${handle}`,
      `/Tenants/Invitation-Tokens/${header}%2E${payload}%2E${signature}`,
      `/TENANTS/INVITATION-TOKENS/${token}/`,
      `/tenants/invitation-tokens/${encodeFirst(token)}`,
      `/tenants/invitation-tokens/${header}%2e${payload}%2e${signature}`,
    ];
    // ...and these are not, but carry the secret all the same.
    const unrouted = [
      `/i%2F${handle}`,
      `/i%2f${handle}`,
      `//i/${handle}`,
      `/i//${handle}`,
      `/%69/${handle}`,
      `/x/../i/${handle}`,
      `/i/${handle}/extra`,
      `/tenants%2Finvitation-tokens%2F${token}`,
      `//tenants//invitation-tokens//${token}`,
      `/tenants/invitation%2Dtokens/${token}`,
    ];
    for (const path of routed)
      assert.equal(await rawGet(server().url, path), 303, `${path} reaches the invitation route`);
    for (const path of unrouted) await rawGet(server().url, path);

    const logs = server().logs.join('');
    assert.match(logs, /"url":"\/i\/\[redacted\]/, 'the short-link requests were logged, redacted');
    const leaked = [handle, handle.slice(1), header, payload, signature, signature.slice(1)].filter((part) =>
      logs.includes(part),
    );
    assert.deepEqual(leaked, [], 'no handle, nor any part of a token, is in the logs');
  });
});
