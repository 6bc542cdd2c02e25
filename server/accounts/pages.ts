// Browser pages for e-mail verification and password reset. GET only shows (mail scanners
// pre-fetch links); the change happens on a POST with a CSRF token. Confirming an address outside the
// browser that registered it asks for the account's password, rate limited like sign-in.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { pageForm, parsePageForm } from '../http/forms.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { PageRenderer } from '../page.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords.js';
import { registeringBrowserAccount } from './registering-browser.js';
import type { AccountService } from './service.js';

export interface AccountPageDeps {
  accounts: AccountService;
  page: PageRenderer;
  /** Password checks on the confirmation page count against the sign-in limits. */
  limits: {
    resetPerIp: RateLimiter;
    resetPerAccount: RateLimiter;
    signInPerIp: RateLimiter;
    signInPerAccount: RateLimiter;
  };
}

/** Where "Back to sign in" leads: only a sign-in page of this server, never an address from outside. */
const returnOf = (value: unknown) =>
  typeof value === 'string' && /^\/interaction\/[\w-]{1,64}$/.test(value) ? value : undefined;
const codeOf = (value: unknown) => (typeof value === 'string' && /^[\w-]{20,100}$/.test(value) ? value : undefined);
const resetRequest = z.object({ email: z.email().max(320) });
const newPassword = z.object({
  code: z.string().max(100),
  password: z.string().min(MIN_PASSWORD_LENGTH, 'password_too_short').max(MAX_PASSWORD_LENGTH, 'password_too_long'),
  /** Asked (and required) when the address was never confirmed: the name typed at registration may not be the owner's. */
  name: z.string({ error: 'name_required' }).trim().max(200, 'name_too_long').optional(),
});
/** An empty password field is no password: the page asks again rather than checking "". */
const confirmation = z.object({
  password: z
    .string()
    .max(MAX_PASSWORD_LENGTH)
    .optional()
    .transform((p) => p || undefined),
});
// The forms' bodies as the pages send them (the hidden username is for password managers); their fields are checked above.
const verifyBody = pageForm({
  code: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
});
const codeBody = pageForm({ code: z.string().optional() });
const resetRequestBody = pageForm({ email: z.string().optional(), return: z.string().optional() });
const newPasswordBody = pageForm({
  code: z.string().optional(),
  username: z.string().optional(),
  name: z.string().optional(),
  password: z.string().optional(),
});

export function accountPageRoutes({ accounts, page, limits }: AccountPageDeps): Router {
  const router = new Router();
  const invalidLink = (ctx: Context) => page.render(ctx, 'pages/link-invalid.njk', {}, 400);

  router.get('/verify-email', async (ctx) => {
    const code = codeOf(ctx.query.code);
    const link = code && (await accounts.verificationLink(code));
    if (!link) return invalidLink(ctx);
    return page.render(ctx, 'pages/verify-email.njk', {
      code,
      email: link.email,
      askPassword: registeringBrowserAccount(ctx) !== link.accountId,
    });
  });

  router.post('/verify-email', async (ctx) => {
    const body = parsePageForm(verifyBody, ctx.request.body);
    const code = codeOf(body.code);
    const link = code && (await accounts.verificationLink(code));
    if (!code || !link) return invalidLink(ctx);
    const form = confirmation.safeParse(body);
    const password = form.success ? form.data.password : undefined;
    if (password !== undefined) {
      await limits.signInPerIp.consume(ctx.ip);
      await limits.signInPerAccount.consume(link.email);
    }
    const result = await accounts.verifyEmail(code, { browserAccountId: registeringBrowserAccount(ctx), password });
    if (result === 'invalid_link') return invalidLink(ctx);
    if (result !== 'verified') {
      return page.render(
        ctx,
        'pages/verify-email.njk',
        { code, email: link.email, askPassword: true, error: `verify.error.${result}` },
        400,
      );
    }
    if (password !== undefined) await limits.signInPerAccount.reset(link.email);
    return page.render(ctx, 'pages/email-verified.njk');
  });

  // "Not my account": the link proved the mailbox, so its owner may choose a password instead (a reset).
  router.post('/verify-email/new-password', async (ctx) => {
    const code = codeOf(parsePageForm(codeBody, ctx.request.body).code);
    const reset = code && (await accounts.exchangeForReset(code));
    if (!reset) return invalidLink(ctx);
    return page.render(ctx, 'pages/reset-new.njk', { ...reset });
  });

  router.get('/reset-password', (ctx) =>
    page.render(ctx, 'pages/reset-request.njk', { returnTo: returnOf(ctx.query.return) }),
  );

  router.post('/reset-password', async (ctx) => {
    const body = parsePageForm(resetRequestBody, ctx.request.body);
    const form = resetRequest.safeParse(body);
    const returnTo = returnOf(body.return);
    if (!form.success)
      return page.render(ctx, 'pages/reset-request.njk', { error: 'reset.error.email_invalid', returnTo }, 400);
    await limits.resetPerIp.consume(ctx.ip);
    await limits.resetPerAccount.consume(form.data.email.toLowerCase());
    accounts.requestPasswordReset(form.data.email, page.locale(ctx));
    return page.render(ctx, 'pages/reset-sent.njk', { email: form.data.email, returnTo });
  });

  router.get('/reset-password/new', async (ctx) => {
    const code = codeOf(ctx.query.code);
    const link = code && (await accounts.resetLink(code));
    if (!link) return invalidLink(ctx);
    return page.render(ctx, 'pages/reset-new.njk', { code, ...link });
  });

  router.post('/reset-password/new', async (ctx) => {
    const body = parsePageForm(newPasswordBody, ctx.request.body);
    const code = codeOf(body.code);
    const link = code && (await accounts.resetLink(code));
    if (!code || !link) return invalidLink(ctx);
    const form = newPassword.safeParse(body);
    const problem = form.success
      ? link.askName && !form.data.name
        ? 'name_required'
        : undefined
      : form.error.issues[0]?.message;
    if (!form.success || problem) {
      return page.render(
        ctx,
        'pages/reset-new.njk',
        { code, ...link, name: body.name, error: `reset.error.${problem}` },
        400,
      );
    }
    if (!(await accounts.resetPassword(code, form.data.password, { name: form.data.name, locale: page.locale(ctx) })))
      return invalidLink(ctx);
    return page.render(ctx, 'pages/reset-done.njk');
  });

  return router;
}
