// The account page's password part: change the password, proving the current one. Like a reset, the
// change ends every session, grant and token of the account (docs/security.md), so the person signs in again.
import { z } from 'zod';
import { pageForm, parsePageForm } from '../http/forms.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { AccountSection } from './account-page.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords.js';
import type { AccountService } from './service.js';

const passwordForm = pageForm({
  current_password: z.string().max(MAX_PASSWORD_LENGTH).optional().default(''),
  new_password: z
    .string()
    .max(MAX_PASSWORD_LENGTH + 1)
    .optional()
    .default(''),
});

export function passwordSection({
  accounts,
  perAccount,
}: {
  accounts: AccountService;
  perAccount: RateLimiter;
}): AccountSection {
  return {
    template: 'partials/account/password.njk',
    load: async (accountId) => ({ hasPassword: await accounts.hasPassword(accountId) }),
    routes(router, page) {
      router.post('/account/password', async (ctx) => {
        const form = parsePageForm(passwordForm, ctx.request.body);
        const accountId = await page.signedIn(ctx);
        if (!accountId) return;
        const problem =
          form.new_password.length < MIN_PASSWORD_LENGTH
            ? 'register.error.password_too_short'
            : form.new_password.length > MAX_PASSWORD_LENGTH
              ? 'register.error.password_too_long'
              : undefined;
        if (problem) return page.show(ctx, accountId, { passwordError: problem }, 400);
        await perAccount.consume(`account:${accountId}`);
        if (!(await accounts.changePassword(accountId, form.current_password, form.new_password)))
          return page.show(ctx, accountId, { passwordError: 'account.password.wrong_current' }, 400);
        await perAccount.reset(`account:${accountId}`);
        ctx.status = 303;
        ctx.redirect('/account?done=password');
      });
    },
  };
}
