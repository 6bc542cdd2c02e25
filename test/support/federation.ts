// Federation as a test drives it: connections to the test upstreams, an app's sign-in started in a
// UserAgent, and the round trip through an upstream's login form and back (across origins).
import * as oidc from 'openid-client';
import type { ConnectionView } from '../../server/federation/schemas.js';
import type { TestServer } from './server.js';
import { firstPartyApp } from './tokens.js';
import type { Upstream } from './upstream.js';
import { findForm, type Page, type UserAgent } from './user-agent.js';

export const FEDERATION_ENV = { UPSTREAM_ALLOW_HTTP: 'true' };

/** A connection of Tessera to a test upstream (global unless `tenantId`). */
export async function connectTo(
  server: TestServer,
  upstream: Upstream,
  {
    slug,
    kind = 'oidc',
    trusted = true,
    tenantId,
    name = `Upstream ${slug}`,
  }: { slug: string; kind?: 'oidc' | 'oauth2'; trusted?: boolean; tenantId?: string; name?: string },
): Promise<ConnectionView> {
  const endpoints =
    kind === 'oidc'
      ? { issuer: upstream.url }
      : {
          authorization_endpoint: `${upstream.url}/authorize`,
          token_endpoint: `${upstream.url}/token`,
          userinfo_endpoint: `${upstream.url}/userinfo`,
          claims: { subject: 'id', email: 'mail', email_verified: 'mail_confirmed', name: 'display_name' },
        };
  const input = { slug, kind, name, client_id: upstream.clientId, client_secret: upstream.clientSecret, ...endpoints };
  if (!tenantId)
    return server.tessera.connections.create({ kind: 'operator' }, { ...input, trusted_for_email: trusted });
  return server.tessera.connections.create(
    { kind: 'tenant', caller: { kind: 'client', clientId: 'test', manage: true }, tenantId },
    input,
  );
}

/** Follows redirects wherever they go (Tessera and the upstreams), stopping at the app's callback. */
export async function followAll(browser: UserAgent, url: string, init: Parameters<UserAgent['request']>[1] = {}) {
  let page = await browser.request(url, init);
  for (let hops = 0; page.location && hops < 30; hops++) {
    if (new URL(page.location).pathname === '/app/callback') return page;
    page = await browser.request(page.location);
  }
  return page;
}

/** Submits a form of `page` (by action) and follows everything after it. */
export async function submitAny(
  browser: UserAgent,
  page: Page,
  action: string | RegExp,
  fields: Record<string, string> = {},
) {
  const form = findForm(page.html, action);
  return followAll(browser, new URL(form.action, page.url).href, { form: { ...form.hidden, ...fields } });
}

/** An app's sign-in, started: the sign-in page, and what finishing at the app needs. */
export async function startAppSignIn(
  server: TestServer,
  browser: UserAgent,
  { scope = 'openid email profile tenants', params = {} }: { scope?: string; params?: Record<string, string> } = {},
) {
  const rp = await firstPartyApp(server);
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: `${server.url}/app/callback`,
    scope,
    state: 's',
    ...params,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const page = await followAll(browser, url.href);
  return { page, rp, verifier };
}

/** The app's tokens for a sign-in that came back to its callback. */
export async function tokensAt(rp: oidc.Configuration, page: Page, verifier: string) {
  if (!page.location || new URL(page.location).pathname !== '/app/callback')
    throw new Error(`not back at the app: ${page.status} ${page.url}\n${page.html.slice(0, 1500)}`);
  return oidc.authorizationCodeGrant(rp, new URL(page.location), { pkceCodeVerifier: verifier, expectedState: 's' });
}

/**
 * Presses "Sign in with …" (or any form posting to `action`) and signs in at the upstream as `login`; returns
 * Tessera's next page, or the redirect to the app. `cancel` presses the upstream's cancel (OAuth 2.0 upstream).
 */
export async function viaUpstream(
  browser: UserAgent,
  page: Page,
  action: string | RegExp,
  login: string,
  { kind = 'oidc', cancel = false }: { kind?: 'oidc' | 'oauth2'; cancel?: boolean } = {},
): Promise<Page> {
  const atUpstream = await submitAny(browser, page, action);
  if (kind === 'oauth2')
    return submitAny(browser, atUpstream, '/authorize', { login, decision: cancel ? 'cancel' : 'allow' });
  const after = await submitAny(browser, atUpstream, /\/interaction\//, { login, password: 'any' });
  // Signing in as someone else ends the upstream's earlier session: its page posts itself (with script), here by hand.
  return /action="[^"]*\/session\/end\/confirm"/.test(after.html)
    ? submitAny(browser, after, /\/session\/end\/confirm$/)
    : after;
}
