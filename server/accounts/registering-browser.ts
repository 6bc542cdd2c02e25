// Which account this browser holds the credential of while its address is unconfirmed: the browser that
// registered it, or that signed in to it with the right password. There a confirmation link proves the
// mailbox and the credential at once; anywhere else the confirmation page asks for the password.
import type { Context } from 'koa';
import { CODE_TTL_MS } from './codes.js';

const COOKIE = 'tessera.registration';

/**
 * Binds this browser to `accountId`. Called with undefined when no account was created (the address was
 * taken): a random id is set instead, so the answer carries the same cookie either way (no enumeration).
 */
export function bindRegisteringBrowser(ctx: Context, accountId: string | undefined): void {
  ctx.cookies.set(COOKIE, accountId ?? crypto.randomUUID(), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    path: '/verify-email',
    maxAge: CODE_TTL_MS.verify_email,
    overwrite: true,
  });
}

/** The account this browser is bound to, if its signed cookie says so. */
export function registeringBrowserAccount(ctx: Context): string | undefined {
  return ctx.cookies.get(COOKIE, { signed: true }) ?? undefined;
}
