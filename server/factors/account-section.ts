// The account page's second-factor part: passkeys (register, remove), an authenticator app (set up with a
// QR code or the key, remove) and recovery codes (shown once when made, then only how many are left).
import type { AccountPage, AccountSection } from '../accounts/account-page.js';
import type { AccountService } from '../accounts/service.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { parseForm } from '../interaction/forms.js';
import { CodeForm, EmptyForm, NewPasskeyForm } from './forms.js';
import { passkeyRefused } from './passkeys.js';
import { accountLabel, type SecondFactors } from './service.js';

export interface FactorSectionDeps {
  factors: SecondFactors;
  accounts: AccountService;
  limits: { perAccount: RateLimiter };
  /** Whether passkeys are on (PASSKEYS): off, the page neither lists nor registers them. */
  passkeys: boolean;
}

export function secondFactorSection({
  factors,
  accounts,
  limits,
  passkeys: passkeysOn,
}: FactorSectionDeps): AccountSection {
  const labelOf = (accountId: string) => accountLabel(accounts, accountId);

  return {
    template: 'partials/account/second-factors.njk',
    async load(accountId) {
      const [summary, passkeys] = await Promise.all([factors.summary(accountId), factors.passkeys.list(accountId)]);
      return { ...summary, passkeys, passkeysOn };
    },
    routes(router, page: AccountPage) {
      router.post('/account/passkeys/options', async (ctx) => {
        parseForm(EmptyForm, ctx.request.body);
        if (!passkeysOn) throw passkeyRefused();
        const accountId = await page.signedIn(ctx);
        if (!accountId) return;
        const account = await accounts.findById(accountId);
        const userName = account?.email ?? account?.phone ?? accountId;
        ctx.set('Cache-Control', 'no-store');
        ctx.body = await factors.passkeys.registrationOptions({
          id: accountId,
          userName,
          displayName: account?.name ?? userName,
        });
      });
      router.post('/account/passkeys', async (ctx) => {
        const form = NewPasskeyForm.safeParse(ctx.request.body ?? {});
        const act = async (accountId: string) => {
          if (!form.success) throw passkeyRefused();
          await factors.passkeys.register(accountId, form.data.response, form.data.name);
        };
        return page.change(ctx, act, 'passkey_added');
      });
      router.post('/account/passkeys/:id/delete', async (ctx) => {
        parseForm(EmptyForm, ctx.request.body);
        return page.change(
          ctx,
          (accountId) => factors.passkeys.remove(accountId, String(ctx.params.id)),
          'passkey_removed',
          { recent: true },
        );
      });

      router.post('/account/totp/start', async (ctx) => {
        parseForm(EmptyForm, ctx.request.body);
        const accountId = await page.signedIn(ctx);
        if (!accountId) return;
        return page.show(ctx, accountId, {
          totpEnrolment: await factors.totp.startEnrolment(accountId, await labelOf(accountId)),
        });
      });
      router.post('/account/totp/confirm', async (ctx) => {
        const { code } = parseForm(CodeForm, ctx.request.body);
        const accountId = await page.signedIn(ctx);
        if (!accountId) return;
        await limits.perAccount.consume(accountId);
        if (!(await factors.totp.confirmEnrolment(accountId, code))) {
          const totpEnrolment = await factors.totp.pendingEnrolment(accountId, await labelOf(accountId));
          return page.show(ctx, accountId, { totpEnrolment, totpError: 'factors.error.wrong_code' }, 400);
        }
        await limits.perAccount.reset(accountId);
        return page.show(ctx, accountId, {
          notice: 'totp_added',
          recoveryCodes: await factors.firstRecoveryCodes(accountId),
        });
      });
      router.post('/account/totp/delete', async (ctx) => {
        parseForm(EmptyForm, ctx.request.body);
        return page.change(ctx, (accountId) => factors.totp.remove(accountId), 'totp_removed', { recent: true });
      });

      router.post('/account/recovery-codes', async (ctx) => {
        parseForm(EmptyForm, ctx.request.body);
        const accountId = await page.recentlySignedIn(ctx);
        if (!accountId) return;
        return page.show(ctx, accountId, {
          notice: 'recovery_codes',
          recoveryCodes: await factors.recovery.generate(accountId),
        });
      });
    },
  };
}
