// CSRF protection for Tessera's own forms (oidc-provider protects its endpoints itself).
//
// Two checks:
// 1. The form must return the token from `ctx.state.csrfToken`, which equals a random secret kept
//    in a signed, httpOnly, SameSite=Lax cookie (a double submit). The token is the secret itself:
//    an HMAC of it would protect nothing more, since whoever can read the page can submit the token
//    either way, and the cookie's signature (app.keys) already stops a planted cookie that was not
//    minted by us.
// 2. An Origin header that names another site is refused outright. `Origin: null` says nothing
//    and is left to the token: our own pages send `Referrer-Policy: no-referrer`, under which
//    browsers post even same-origin forms with `Origin: null` (Fetch spec; checked in Chromium).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { Forbidden } from '../errors.js';

export interface CsrfOptions {
  /** The issuer; its origin is the only one our forms are posted from. */
  issuer: string;
  cookieName?: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CSRF_FIELD = '_csrf';

export function csrf(options: CsrfOptions): Middleware {
  const issuerOrigin = new URL(options.issuer).origin;
  const cookieName = options.cookieName ?? 'tessera.csrf';
  return async (ctx, next) => {
    const secret = ensureSecret(ctx, cookieName);
    ctx.state.csrfToken = secret;
    if (!SAFE_METHODS.has(ctx.method)) {
      const origin = ctx.get('Origin');
      if (origin && origin !== 'null' && origin !== issuerOrigin)
        throw rejected('This form was sent from another site.');
      if (!sameToken(submittedToken(ctx), secret))
        throw rejected('This form has expired. Go back, reload the page and try again.');
    }
    await next();
  };
}

function ensureSecret(ctx: Context, cookieName: string): string {
  const existing = ctx.cookies.get(cookieName, { signed: true });
  if (existing) return existing;
  const secret = randomBytes(32).toString('base64url');
  // No maxAge: a browser session is long enough for any form, and a fresh secret costs nothing.
  ctx.cookies.set(cookieName, secret, { signed: true, httpOnly: true, sameSite: 'lax', path: '/', overwrite: true });
  return secret;
}

function submittedToken(ctx: Context): string | undefined {
  const body = ctx.request.body as Record<string, unknown> | undefined;
  const token = body?.[CSRF_FIELD];
  return typeof token === 'string' ? token : undefined;
}

function sameToken(submitted: string | undefined, secret: string): boolean {
  if (submitted === undefined) return false;
  const a = Buffer.from(submitted);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

function rejected(description: string): Forbidden {
  return new Forbidden(description, 'invalid_csrf_token');
}
