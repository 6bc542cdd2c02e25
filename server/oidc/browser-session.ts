// Who is signed in on Tessera's own pages (outside a sign-in interaction), and how to send someone
// through sign-in and back: an internal first-party client whose callback returns to the page.
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { BadRequest } from '../errors.js';

export const INTERNAL_CLIENT_ID = 'tessera-internal';
const RETURN_COOKIE = 'tessera.return';

/** Only a path on this server may be returned to: never another origin (no open redirect). */
export const isLocalPath = (path: unknown): path is string =>
  typeof path === 'string' && /^\/(?![/\\])[\w\-./~%?=&]*$/.test(path) && path.length <= 500;

export class BrowserSessions {
  constructor(
    private readonly provider: Provider,
    private readonly issuer: string,
    private readonly cancelledPage: (ctx: Context) => string,
  ) {}

  /** The signed-in account on this browser, read without changing the session. */
  async accountId(ctx: Context): Promise<string | undefined> {
    const session = await this.provider.Session.get(ctx as never);
    return session.accountId ?? undefined;
  }

  async signedInAt(ctx: Context): Promise<Date | undefined> {
    const session = await this.provider.Session.get(ctx as never);
    const at = session.accountId ? session.authTime() : undefined;
    return typeof at === 'number' ? new Date(at * 1000) : undefined;
  }

  /**
   * Where to send the browser to sign in and come back to `returnTo`: with `again` (prompt=login) even when
   * signed in, to switch account or to prove again who they are; `loginHint` fills the address in.
   */
  signInUrl(
    ctx: Context,
    returnTo: string,
    {
      again = false,
      loginHint,
      params = {},
    }: { again?: boolean; loginHint?: string; params?: Record<string, string> } = {},
  ): string {
    if (!isLocalPath(returnTo)) throw new BadRequest('Cannot return to that address.', 'invalid_return');
    // One state per response: a page may offer several ways through sign-in (sign in, register, switch account).
    const held = ctx.state as { signInState?: string };
    held.signInState ??= randomBytes(16).toString('base64url');
    const state = held.signInState;
    ctx.cookies.set(RETURN_COOKIE, JSON.stringify({ state, returnTo }), {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      maxAge: 3600_000,
      path: '/signed-in',
    });
    const url = new URL('/auth', this.issuer);
    url.search = new URLSearchParams({
      client_id: INTERNAL_CLIENT_ID,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${this.issuer}/signed-in`,
      state,
      // PKCE is required of every client; the code is never exchanged, the session is what we came for.
      code_challenge: randomBytes(32).toString('base64url'),
      code_challenge_method: 'S256',
      ...(again ? { prompt: 'login' } : {}),
      ...(loginHint ? { login_hint: loginHint } : {}),
      ...params,
    }).toString();
    return url.href;
  }

  routes(): Router {
    const router = new Router();
    router.get('/signed-in', (ctx) => {
      const raw = ctx.cookies.get(RETURN_COOKIE, { signed: true });
      ctx.cookies.set(RETURN_COOKIE, null, { path: '/signed-in' });
      const pending = raw ? (JSON.parse(raw) as { state?: string; returnTo?: string }) : undefined;
      if (!pending || pending.state !== ctx.query.state || !isLocalPath(pending.returnTo)) {
        throw new BadRequest('This sign-in is not one this browser started. Open the page again.', 'invalid_state');
      }
      // A cancelled sign-in must not bounce back to a page that would start it again.
      if (ctx.query.error) {
        ctx.status = 200;
        ctx.type = 'html';
        ctx.body = this.cancelledPage(ctx);
        return;
      }
      ctx.redirect(pending.returnTo);
    });
    return router;
  }
}
