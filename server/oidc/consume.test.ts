// A code or refresh token is spent once, even when many requests present it at the same moment.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as oidc from 'openid-client';
import { describeWithServer } from '../../test/support/server.js';
import { person, type Person } from '../../test/support/tokens.js';
import { UserAgent } from '../../test/support/user-agent.js';
import { createClient } from './clients.js';

interface TokenAnswer {
  status: number;
  body: { error?: string; refresh_token?: string; access_token?: string };
}

describeWithServer('spending a code or refresh token in parallel', (server) => {
  let client: { id: string; secret: string };
  let redirectUri: string;
  let ada: Person;

  before(async () => {
    redirectUri = `${server().url}/app/callback`;
    const created = await createClient(server().db, {
      name: 'Racing app',
      redirectUris: [redirectUri],
      firstParty: true,
    });
    client = { id: created.id, secret: created.secret! };
    ada = await person(server(), 'Ada');
  });

  /** A token request with plain fetch, as any client (or an attacker holding the value) sends it. */
  async function token(params: Record<string, string>): Promise<TokenAnswer> {
    const res = await fetch(`${server().url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${btoa(`${client.id}:${client.secret}`)}`,
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: (await res.json()) as TokenAnswer['body'] };
  }

  /** Signs Ada in through the real pages and returns the code the app would receive, with its PKCE verifier. */
  async function code(): Promise<{ code: string; verifier: string }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = new URL(`${server().url}/auth`);
    url.search = new URLSearchParams({
      client_id: client.id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 's',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const browser = new UserAgent(server().url);
    const login = await browser.follow(url.href);
    const callback = await browser.submit(login, /\/login$/, { email: ada.email, password: ada.password });
    const value = callback.location ? new URL(callback.location).searchParams.get('code') : null;
    assert.ok(value, `sign-in ends at the app with a code, got ${callback.status} ${callback.location}`);
    return { code: value, verifier };
  }

  const exchange = (c: { code: string; verifier: string }) =>
    token({ grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: redirectUri });
  const refresh = (refreshToken: string) => token({ grant_type: 'refresh_token', refresh_token: refreshToken });

  /** Exactly one answer is 200; every other one is invalid_grant. Returns the winner. */
  function oneWinner(answers: TokenAnswer[]): TokenAnswer {
    const winners = answers.filter((a) => a.status === 200);
    assert.equal(
      winners.length,
      1,
      `exactly one of ${answers.length} wins: ${JSON.stringify(answers.map((a) => a.status))}`,
    );
    for (const a of answers.filter((x) => x.status !== 200))
      assert.equal(a.body.error, 'invalid_grant', JSON.stringify(a));
    return winners[0]!;
  }

  test('20 parallel exchanges of one code give tokens once; the others get invalid_grant and the grant is revoked', {
    timeout: 60_000,
  }, async () => {
    const c = await code();
    const winner = oneWinner(await Promise.all(Array.from({ length: 20 }, () => exchange(c))));
    // A second use means the code leaked: as for a reuse in sequence, what the first use issued dies with the grant.
    const after = await refresh(winner.body.refresh_token!);
    assert.equal(after.body.error, 'invalid_grant');
  });

  test('20 parallel refreshes of one refresh token give one new chain; the others get invalid_grant and the grant is revoked', {
    timeout: 60_000,
  }, async () => {
    const first = await exchange(await code());
    assert.equal(first.status, 200);
    const winner = oneWinner(await Promise.all(Array.from({ length: 20 }, () => refresh(first.body.refresh_token!))));
    const after = await refresh(winner.body.refresh_token!);
    assert.equal(after.body.error, 'invalid_grant', 'the chain the winner got is revoked too');
  });

  test('a refresh token used once, on its own, still rotates normally', async () => {
    const first = await exchange(await code());
    const second = await refresh(first.body.refresh_token!);
    assert.equal(second.status, 200);
    assert.equal((await refresh(second.body.refresh_token!)).status, 200);
  });
});
