// Accounts as a test drives them: the app's sign-in page, registration through the pages, and the
// outbox (the messages to one address, and a link in the newest of them).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oidc from 'openid-client';
import { OidcPayload, OutboxMessage } from '../../server/db/entities/index.js';
import type { TestServer } from './server.js';
import type { Page, UserAgent } from './user-agent.js';

/** Opens the sign-in of `rp` (redirect URI `<issuer>/app/callback`) in `browser` and returns the login page. */
export async function appLoginPage(server: TestServer, rp: oidc.Configuration, browser: UserAgent): Promise<Page> {
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: `${server.url}/app/callback`,
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  });
  return browser.follow(url.href);
}

/** From the app's sign-in page through "Create one" and the registration form; returns the page after it. */
export async function registerThroughPages(
  server: TestServer,
  rp: oidc.Configuration,
  browser: UserAgent,
  who: { name: string; email: string; password: string },
): Promise<Page> {
  const login = await appLoginPage(server, rp, browser);
  const form = await browser.follow(
    new URL(/href="(\/interaction\/[^"]+\/register)"/.exec(login.html)![1]!, server.url).href,
  );
  return browser.submit(form, /\/register$/, who);
}

export async function mailsTo(server: TestServer, email: string): Promise<OutboxMessage[]> {
  return server.db.read((m) => m.find(OutboxMessage, { where: { recipient: email }, order: { createdAt: 'ASC' } }));
}

/**
 * The newest link with this path mailed to `email`, built from the configured issuer. Some mail is
 * written after the answer (password reset requests), so this waits for it, at most `waitMs`.
 */
export async function linkIn(server: TestServer, email: string, path: string, waitMs = 5000): Promise<string> {
  const until = Date.now() + waitMs;
  for (;;) {
    const mails = await mailsTo(server, email);
    const link = mails
      .flatMap((m) => m.bodyText.match(/https?:\/\/\S+/g) ?? [])
      .reverse()
      .find((l) => new URL(l).pathname === path);
    if (link) {
      assert.ok(link.startsWith(server.url), 'links are built from the configured issuer');
      return link;
    }
    assert.ok(Date.now() < until, `no ${path} link mailed to ${email} within ${waitMs} ms`);
    await sleep(25);
  }
}

/** Moves the account's sign-ins an hour back, as if the browser had been left signed in (recent sign-in rules). */
export async function ageSignIn(server: TestServer, accountId: string): Promise<void> {
  await server.db.write(async (m) => {
    for (const row of await m.findBy(OidcPayload, { model: 'Session', accountId })) {
      const payload = JSON.parse(row.payload) as { loginTs: number };
      payload.loginTs -= 3600;
      await m.update(OidcPayload, { id: row.id, model: 'Session' }, { payload: JSON.stringify(payload) });
    }
  });
}

/** From an invitation's direct link through its landing page's "Create an account": the registration form. */
export async function registrationFormThroughInvitation(browser: UserAgent, url: string): Promise<Page> {
  const landing = await browser.follow(url);
  const href = /href="([^"]+)"[^>]*>Create an account</.exec(landing.html)?.[1];
  assert.ok(href, `no "Create an account" on the landing page: ${landing.html.slice(0, 800)}`);
  const page = await browser.follow(href.replace(/&amp;/g, '&'));
  const registerHref = /href="(\/interaction\/[^"]+\/register)"/.exec(page.html)?.[1];
  return registerHref && !/action="[^"]*\/register"/.test(page.html) ? browser.follow(registerHref) : page;
}
