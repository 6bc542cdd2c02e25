// A built-in relying party at /demo: signs in through Tessera itself with openid-client and shows
// what an app receives (ID token claims, access token, userinfo), so a newcomer sees the whole flow.
import Router from '@koa/router';
import type { Context } from 'koa';
import * as oidc from 'openid-client';
import type { PageRenderer } from '../page.js';

export const DEMO_CLIENT_ID = 'tessera-demo';
const STATE_COOKIE = 'tessera.demo';

export interface DemoDeps {
  issuer: string;
  clientSecret: string;
  page: PageRenderer;
  scope?: string;
}

interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
}

export function demoRoutes({ issuer, clientSecret, page, scope = 'openid email profile tenants' }: DemoDeps): Router {
  const router = new Router({ prefix: '/demo' });
  const redirectUri = `${issuer}/demo/callback`;
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    // Tessera discovers itself over HTTP like any app would; plain http is allowed only for a local issuer.
    discovered ??= oidc
      .discovery(new URL(issuer), DEMO_CLIENT_ID, clientSecret, undefined, {
        execute: issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };

  router.get('/', (ctx) => page.render(ctx, 'pages/demo.njk', {}));

  router.get('/login', async (ctx) => {
    const pending: PendingSignIn = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
    };
    ctx.cookies.set(STATE_COOKIE, JSON.stringify(pending), {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      maxAge: 600_000,
      path: '/demo',
    });
    const url = oidc.buildAuthorizationUrl(await configuration(), {
      redirect_uri: redirectUri,
      scope,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      ...(ctx.query.prompt === 'select_tenant' || ctx.query.prompt === 'login' ? { prompt: ctx.query.prompt } : {}),
      // An app passes these through to Tessera as they are: an invitation to accept, a tenant to choose.
      ...(typeof ctx.query.invitation === 'string' ? { invitation: ctx.query.invitation } : {}),
      ...(typeof ctx.query.tenant_hint === 'string' ? { tenant_hint: ctx.query.tenant_hint } : {}),
    });
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const pending = readPending(ctx);
    ctx.cookies.set(STATE_COOKIE, null, { path: '/demo' });
    if (!pending) return page.render(ctx, 'pages/demo.njk', { error: 'demo.error.no_sign_in' }, 400);
    const config = await configuration();
    try {
      const tokens = await oidc.authorizationCodeGrant(config, new URL(ctx.originalUrl, issuer), {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
      });
      const claims = tokens.claims()!;
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      const logoutUrl = oidc.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: `${issuer}/demo`,
      });
      return page.render(ctx, 'pages/demo.njk', {
        claims: JSON.stringify(claims, null, 2),
        userinfo: JSON.stringify(userinfo, null, 2),
        accessToken: tokens.access_token,
        hasRefreshToken: Boolean(tokens.refresh_token),
        logoutUrl: logoutUrl.href,
      });
    } catch (error) {
      const code = error instanceof oidc.AuthorizationResponseError ? error.error : 'sign_in_failed';
      return page.render(ctx, 'pages/demo.njk', { error: 'demo.error.failed', errorCode: code }, 400);
    }
  });

  return router;
}

function readPending(ctx: Context): PendingSignIn | undefined {
  const raw = ctx.cookies.get(STATE_COOKIE, { signed: true });
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as PendingSignIn;
  } catch {
    return undefined;
  }
}
