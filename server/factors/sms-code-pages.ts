// The SMS code as a first factor inside a sign-in: the button on the sign-in page, the page that asks for the
// number, the page to type the code, and, for a number no account has, the page that asks for a name. A right
// code ends in kit.signIn with amr `sms`; a right sign-up code is held in the interaction (server-side) until
// the name is given, then the account is created with that verified number.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { PhoneAccounts } from '../accounts/phone-accounts.js';
import { applyPrefill, type Prefill } from '../accounts/prefill.js';
import { OPEN_REGISTRATION, type RegistrationGate } from '../accounts/registration-gate.js';
import { TERMS_ACCEPTED, type Terms } from '../accounts/terms.js';
import { parsePhoneNumber, smsCountryAllowed } from '../accounts/phone-numbers.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { form, parseForm } from '../interaction/forms.js';
import type {
  IdentifierStep,
  Interaction,
  InteractionExtension,
  InteractionKit,
  LoginOptions,
} from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import { CODE_TTL_MS } from './one-time-codes.js';
import { CodeForm, EmptyForm } from './forms.js';
import type { SmsCodes } from './sms-codes.js';

export interface SmsCodePageDeps {
  codes: SmsCodes;
  phones: PhoneAccounts;
  page: PageRenderer;
  /** Calling codes (+44) and ISO countries (GB) codes may go to; empty: every country. */
  countries: readonly string[];
  limits: {
    /** Codes asked for one number, whether or not it has an account (so the answer is the same). */
    sendPerNumber: RateLimiter;
    /** Codes asked for one country calling code, per hour: a ceiling on what SMS pumping can cost. */
    sendPerCountry: RateLimiter;
    /** Codes asked for, and codes typed, from one client address. */
    perIp: RateLimiter;
  };
  /** Whether this sign-in may create an account for a new number (REGISTRATION). */
  registration?: RegistrationGate;
  /** The terms of service the name page asks to accept (TERMS_URL), if any. */
  terms?: Terms;
  /** The sign-up fields an invitation in the flow pre-fills (name, locale), if any. */
  prefill?: (params: Interaction['params']) => Promise<Prefill | undefined>;
}

/** The proven number of a sign-up waiting for its name, in the interaction's stored result. */
const HELD = 'sms_sign_up';
interface HeldSignUp {
  phone: string;
  until: number;
}

const AskForm = form({ phone: z.string().trim().max(100) });
const NameForm = form({ name: z.string().trim().max(2000), terms: z.string().max(20).optional() });

/** The number a flow's login_hint suggests (an invitation sent by SMS passes its number), if it is one. */
const hintedNumber = (interaction: Interaction) =>
  typeof interaction.params.login_hint === 'string' ? parsePhoneNumber(interaction.params.login_hint)?.e164 : undefined;

/** What people type when they mean a phone number rather than an address: digits, +, spaces and the like. */
const looksLikeNumber = (typed: string) => /^(tel:)?[+(]?\d[\d\s().\-/]*$/i.test(typed.trim());

export function smsCodeInteractions(deps: SmsCodePageDeps): {
  extension: InteractionExtension;
  loginOptions: LoginOptions;
  identifier: IdentifierStep;
} {
  const { codes, phones, page, limits, countries, terms } = deps;
  const gate = deps.registration ?? OPEN_REGISTRATION;

  const show = async (
    ctx: Context,
    kit: InteractionKit,
    interaction: Interaction,
    template: 'ask' | 'enter' | 'name',
    extra: Record<string, unknown> = {},
    status = 200,
  ) => page.render(ctx, `pages/phone-${template}.njk`, { ...(await kit.common(interaction)), ...extra }, status);

  /** Same page whatever the number: the code goes out later, a sign-in code or a sign-up code. */
  async function sendCode(ctx: Context, kit: InteractionKit, interaction: Interaction, phone: string) {
    const number = parsePhoneNumber(phone);
    if (!number) return show(ctx, kit, interaction, 'ask', { phone, error: 'phone.error.number_invalid' }, 400);
    // Which countries get SMS is the operator's setting, the same for every number of a country: no account shows.
    if (!smsCountryAllowed(number, countries))
      return show(ctx, kit, interaction, 'ask', { phone, error: 'phone.error.country' }, 400);
    await limits.perIp.consume(ctx.ip);
    await limits.sendPerNumber.consume(number.e164);
    await limits.sendPerCountry.consume(number.callingCode);
    codes.request(interaction.uid, number.e164, page.locale(ctx));
    return show(ctx, kit, interaction, 'enter', { phone: number.e164 });
  }

  const extension: InteractionExtension = (router: Router, kit: InteractionKit) => {
    const heldOf = (interaction: Interaction): HeldSignUp | undefined => {
      const held = interaction.result?.[HELD] as HeldSignUp | undefined;
      return held && held.until > Date.now() ? held : undefined;
    };

    // The sign-in page's button: the page that asks for the number.
    router.post('/phone', async (ctx) => {
      const interaction = await kit.details(ctx);
      parseForm(EmptyForm, ctx.request.body);
      return show(ctx, kit, interaction, 'ask', { phone: hintedNumber(interaction) ?? '' });
    });

    router.post('/phone/send', async (ctx) => {
      const interaction = await kit.details(ctx);
      const { phone } = parseForm(AskForm, ctx.request.body);
      return sendCode(ctx, kit, interaction, phone);
    });

    router.post('/phone/verify', async (ctx) => {
      const interaction = await kit.details(ctx);
      const { code } = parseForm(CodeForm, ctx.request.body);
      await limits.perIp.consume(ctx.ip);
      const proof = await codes.verify(interaction.uid, code);
      // One answer for every failure (wrong, spent, expired, too many guesses, never sent): no enumeration.
      if (!proof) return show(ctx, kit, interaction, 'enter', { error: 'phone.error.wrong_code' }, 400);
      if (proof.kind === 'sign_in') return kit.signIn(ctx, { accountId: proof.accountId, amr: ['sms'] });
      // Only someone who proved the number learns that it has no account, and only here is sign-up refused.
      await gate.assertAllowed(interaction.params);
      // A new number: held in this sign-in, on the server, for as long as a code lives, until the name is given.
      interaction.result = { ...interaction.result, [HELD]: { phone: proof.phone, until: Date.now() + CODE_TTL_MS } };
      await interaction.save(Math.max(1, (interaction.exp ?? 0) - Math.floor(Date.now() / 1000)));
      ctx.status = 303;
      ctx.redirect(`/interaction/${interaction.uid}/phone/name`);
    });

    router.get('/phone/name', async (ctx) => {
      const interaction = await kit.details(ctx);
      const held = heldOf(interaction);
      if (!held) return show(ctx, kit, interaction, 'ask', { error: 'phone.error.start_again' }, 400);
      await gate.assertAllowed(interaction.params);
      const prefill = await deps.prefill?.(interaction.params);
      return show(ctx, kit, interaction, 'name', { phone: held.phone, terms, prefill, name: prefill?.name?.value });
    });

    router.post('/phone/name', async (ctx) => {
      const interaction = await kit.details(ctx);
      const form = parseForm(NameForm, ctx.request.body);
      const held = heldOf(interaction);
      if (!held) return show(ctx, kit, interaction, 'ask', { error: 'phone.error.start_again' }, 400);
      await gate.assertAllowed(interaction.params);
      // A name the invitation fixed is kept, whatever was posted.
      const prefill = await deps.prefill?.(interaction.params);
      const { name, locale } = applyPrefill(prefill, { name: form.name }, page.locale(ctx));
      const error =
        !name || name.length > 200
          ? 'phone.error.name'
          : terms && form.terms !== TERMS_ACCEPTED
            ? 'phone.error.terms_required'
            : undefined;
      if (error) return show(ctx, kit, interaction, 'name', { phone: held.phone, name, terms, prefill, error }, 400);
      const accountId = await phones.signUp({
        phone: held.phone,
        name,
        locale,
        termsVersion: terms?.version,
      });
      if (!accountId) return show(ctx, kit, interaction, 'ask', { error: 'phone.error.start_again' }, 400);
      return kit.signIn(ctx, { accountId, amr: ['sms'] });
    });

    return {};
  };

  return {
    extension,
    // The identity-first step's field takes a number too: it goes straight to its code.
    identifier: async (ctx, interaction, typed, kit) => {
      if (!looksLikeNumber(typed)) return false;
      await sendCode(ctx, kit, interaction, typed);
      return true;
    },
    loginOptions: async (interaction) => [
      { id: 'phone', label: 'phone.sign_in', action: `/interaction/${interaction.uid}/phone` },
    ],
  };
}
