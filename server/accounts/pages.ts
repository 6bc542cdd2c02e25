// Browser pages for e-mail verification and password reset. GET only shows (mail scanners
// pre-fetch links); the change happens on a POST with a CSRF token.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { RateLimiter } from '../http/rate-limit.js';
import type { PageRenderer } from '../page.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords.js';
import type { AccountService } from './service.js';

export interface AccountPageDeps {
  accounts: AccountService;
  page: PageRenderer;
  limits: { resetPerIp: RateLimiter; resetPerAccount: RateLimiter };
}

/** Where "Back to sign in" leads: only a sign-in page of this server, never an address from outside. */
const returnOf = (value: unknown) => (typeof value === 'string' && /^\/interaction\/[\w-]{1,64}$/.test(value) ? value : undefined);
const codeOf = (value: unknown) => (typeof value === 'string' && /^[\w-]{20,100}$/.test(value) ? value : undefined);
const resetRequest = z.object({ email: z.email().max(320) });
const newPassword = z.object({
  code: z.string().max(100),
  password: z.string().min(MIN_PASSWORD_LENGTH, 'password_too_short').max(MAX_PASSWORD_LENGTH, 'password_too_long'),
});

export function accountPageRoutes({ accounts, page, limits }: AccountPageDeps): Router {
  const router = new Router();
  const invalidLink = (ctx: Context) => page.render(ctx, 'pages/link-invalid.njk', {}, 400);

  router.get('/verify-email', async (ctx) => {
    const code = codeOf(ctx.query.code);
    if (!code || !(await accounts.isVerificationCodeValid(code))) return invalidLink(ctx);
    return page.render(ctx, 'pages/verify-email.njk', { code });
  });

  router.post('/verify-email', async (ctx) => {
    const code = codeOf((ctx.request.body as Record<string, unknown> | undefined)?.code);
    if (!code || !(await accounts.verifyEmail(code))) return invalidLink(ctx);
    return page.render(ctx, 'pages/email-verified.njk');
  });

  router.get('/reset-password', (ctx) => page.render(ctx, 'pages/reset-request.njk', { returnTo: returnOf(ctx.query.return) }));

  router.post('/reset-password', async (ctx) => {
    const form = resetRequest.safeParse(ctx.request.body);
    const returnTo = returnOf((ctx.request.body as Record<string, unknown> | undefined)?.return);
    if (!form.success) return page.render(ctx, 'pages/reset-request.njk', { error: 'reset.error.email_invalid', returnTo }, 400);
    await limits.resetPerIp.consume(ctx.ip);
    await limits.resetPerAccount.consume(form.data.email.toLowerCase());
    await accounts.requestPasswordReset(form.data.email, page.locale(ctx));
    return page.render(ctx, 'pages/reset-sent.njk', { email: form.data.email, returnTo });
  });

  router.get('/reset-password/new', async (ctx) => {
    const code = codeOf(ctx.query.code);
    const email = code && (await accounts.resetCodeTarget(code));
    if (!email) return invalidLink(ctx);
    return page.render(ctx, 'pages/reset-new.njk', { code, email });
  });

  router.post('/reset-password/new', async (ctx) => {
    const form = newPassword.safeParse(ctx.request.body);
    const code = codeOf((ctx.request.body as Record<string, unknown> | undefined)?.code);
    if (!code) return invalidLink(ctx);
    if (!form.success) {
      const email = await accounts.resetCodeTarget(code);
      return page.render(ctx, 'pages/reset-new.njk', { code, email, error: `reset.error.${form.error.issues[0]?.message}` }, 400);
    }
    if (!(await accounts.resetPassword(code, form.data.password))) return invalidLink(ctx);
    return page.render(ctx, 'pages/reset-done.njk');
  });

  return router;
}
