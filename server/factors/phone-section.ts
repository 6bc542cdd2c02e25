// The account page's phone part: add a number or change it (a code texted to the new number proves it; the
// number then signs in by SMS code and satisfies phone-bound invitations), or remove it while another way to
// sign in remains. Adding and removing both need a recent sign-in: a browser left signed in must not be able
// to put a stranger's number on the account, nor take the owner's away.
import type { Context } from 'koa';
import { z } from 'zod';
import type { AccountPage, AccountSection } from '../accounts/account-page.js';
import type { PhoneAccounts } from '../accounts/phone-accounts.js';
import { parsePhoneNumber, smsCountryAllowed } from '../accounts/phone-numbers.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { form, parseForm } from '../interaction/forms.js';
import type { PageRenderer } from '../page.js';
import { CodeForm, EmptyForm } from './forms.js';
import type { SmsCodes } from './sms-codes.js';

export interface PhoneSectionDeps {
  codes: SmsCodes;
  phones: PhoneAccounts;
  page: PageRenderer;
  /** Calling codes (+44) and ISO countries (GB) codes may go to; empty: every country. */
  countries: readonly string[];
  /** Whether the account keeps a way to sign in without its number (a password, a passkey, a connection). */
  otherWayToSignIn: (accountId: string) => Promise<boolean>;
  limits: {
    /** Codes sent to one number, and to one country calling code: the same budgets as the sign-in page's. */
    sendPerNumber: RateLimiter;
    sendPerCountry: RateLimiter;
    /** Codes asked for and typed by one account. */
    perAccount: RateLimiter;
  };
}

const NumberForm = form({ phone: z.string().trim().max(100) });

export function phoneSection(deps: PhoneSectionDeps): AccountSection {
  const { codes, phones, page: renderer, countries, limits } = deps;

  /** The number typed, sent a code, or the page again with what is wrong with it (undefined). */
  async function sendCode(ctx: Context, page: AccountPage, accountId: string): Promise<void> {
    const { phone } = parseForm(NumberForm, ctx.request.body);
    const number = parsePhoneNumber(phone);
    const error = !number
      ? 'phone.error.number_invalid'
      : !smsCountryAllowed(number, countries)
        ? 'phone.error.country'
        : undefined;
    if (!number || error) return page.show(ctx, accountId, { phoneForm: { phone, error } }, 400);
    await limits.perAccount.consume(accountId);
    await limits.sendPerNumber.consume(number.e164);
    await limits.sendPerCountry.consume(number.callingCode);
    codes.requestNumberProof(accountId, number.e164, renderer.locale(ctx));
    return page.show(ctx, accountId, { phoneCode: { phone: number.e164 } });
  }

  return {
    template: 'partials/account/phone.njk',
    async load(accountId) {
      return { signsIn: (await phones.signInNumberOf(accountId)) !== undefined };
    },
    routes(router, page) {
      // The form to type a number (add, or change): shown on the page itself, nothing is sent yet.
      router.post('/account/phone/new', async (ctx) => {
        parseForm(EmptyForm, ctx.request.body);
        const accountId = await page.signedIn(ctx);
        if (accountId) await page.show(ctx, accountId, { phoneForm: { phone: '' } });
      });
      router.post('/account/phone/send', async (ctx) => {
        const accountId = await page.recentlySignedIn(ctx);
        if (accountId) await sendCode(ctx, page, accountId);
      });
      router.post('/account/phone/verify', async (ctx) => {
        const { code } = parseForm(CodeForm, ctx.request.body);
        const accountId = await page.recentlySignedIn(ctx);
        if (!accountId) return;
        await limits.perAccount.consume(accountId);
        const phone = await codes.verifyNumberProof(accountId, code);
        // One answer for a wrong, spent, expired or over-guessed code: the person asks for another.
        if (!phone) return page.show(ctx, accountId, { phoneCode: { error: 'phone.error.wrong_code' } }, 400);
        return page.change(ctx, () => phones.setProvenNumber(accountId, phone), 'phone_added');
      });
      router.post('/account/phone/delete', async (ctx) => {
        parseForm(EmptyForm, ctx.request.body);
        return page.change(ctx, (id) => phones.removeNumber(id, deps.otherWayToSignIn), 'phone_removed', {
          recent: true,
        });
      });
    },
  };
}
