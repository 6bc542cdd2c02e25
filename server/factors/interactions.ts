// The sign-in's factor pages: a passkey as a first factor (a button on the sign-in page, and the browser's
// autofill where it offers passkeys), the second-factor step after a first factor (a TOTP code, a passkey,
// a recovery code, or enrolment of an authenticator app when none is set up but one is required), and the
// page of a tenant whose policy the sign-in does not meet.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountService } from '../accounts/service.js';
import { BadRequest } from '../errors.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { parseForm } from '../interaction/forms.js';
import type {
  Interaction,
  InteractionExtension,
  InteractionKit,
  LoginOption,
  LoginOptions,
  PendingSignIn,
  PromptPage,
  SecondFactorStep,
} from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import { CodeForm, EmptyForm, PasskeyForm } from './forms.js';
import { TENANT_POLICY_PROMPT, FIRST_FACTOR_REFUSED } from './prompts.js';
import { accountLabel, type SecondFactors } from './service.js';

export interface FactorPageDeps {
  factors: SecondFactors;
  accounts: AccountService;
  page: PageRenderer;
  /**
   * Attempts at codes per account (and per address): guessing a six-digit code takes a million tries.
   * `optionsPerIp` bounds passkey challenges: every sign-in page a browser opens asks for one (the autofill),
   * so they must not spend the sign-in attempts of everyone behind one address.
   */
  limits: { perAccount: RateLimiter; perIp: RateLimiter; optionsPerIp: RateLimiter };
}

/** The step oidc/ runs after a first factor, and the passkey button on the sign-in page. */
export interface FactorInteractions {
  step: SecondFactorStep;
  loginOptions: LoginOptions;
  extension: InteractionExtension;
}

const PASSKEY_OPTION: Omit<LoginOption, 'action'> = { id: 'passkey', label: 'factors.passkeys.sign_in' };

export function factorInteractions(deps: FactorPageDeps): FactorInteractions {
  const { factors, accounts, page, limits } = deps;
  // Filled once the provider hands the pages their kit (interactionRoutes runs the extension first).
  let kit: InteractionKit | undefined;
  const theKit = () => {
    if (!kit) throw new Error('factor pages used before the interaction routes were built');
    return kit;
  };

  /** The pending sign-in of this interaction, or a friendly 400 when there is none (an old tab, a forged post). */
  const pendingOf = (interaction: Interaction): PendingSignIn => {
    const pending = theKit().pendingSignIn(interaction);
    if (!pending) throw new BadRequest('Sign in first.', 'no_pending_sign_in');
    return pending;
  };

  async function showStep(ctx: Context, interaction: Interaction, extra: Record<string, unknown> = {}, status = 200) {
    const pending = pendingOf(interaction);
    const summary = await factors.summary(pending.accountId);
    const tenantRequires = interaction.prompt.name === TENANT_POLICY_PROMPT;
    return page.render(
      ctx,
      'pages/second-factor.njk',
      { ...(await theKit().common(interaction)), summary, tenantRequires, ...extra },
      status,
    );
  }

  const step: SecondFactorStep = {
    needed: (accountId, asked) => factors.needed(accountId, asked),
    page: (ctx, interaction) => showStep(ctx, interaction),
  };

  /** Counts an attempt at a code; the limits refuse (429) once spent, whoever the codes are for. */
  async function attempt(ctx: Context, accountId: string): Promise<void> {
    await limits.perIp.consume(ctx.ip);
    await limits.perAccount.consume(accountId);
  }

  async function complete(ctx: Context, pending: PendingSignIn, second: PendingSignIn['amr'][number]) {
    await limits.perAccount.reset(pending.accountId);
    return theKit().completeSignIn(ctx, pending, second);
  }

  const enrolmentLabel = (accountId: string) => accountLabel(accounts, accountId);

  const extension: InteractionExtension = (router: Router, given) => {
    kit = given;

    // A passkey as the first factor: options for any discoverable passkey, answered within this sign-in.
    router.post('/passkey/options', async (ctx) => {
      const interaction = await given.details(ctx);
      parseForm(EmptyForm, ctx.request.body);
      await limits.optionsPerIp.consume(ctx.ip);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await factors.passkeys.authenticationOptions(interaction.uid);
    });
    router.post('/passkey', async (ctx) => {
      const interaction = await given.details(ctx);
      const form = PasskeyForm.safeParse(ctx.request.body ?? {});
      if (!form.success) throw new BadRequest('The passkey could not be verified.', 'passkey_refused');
      await limits.perIp.consume(ctx.ip);
      const proof = await factors.passkeys.authenticate(interaction.uid, form.data.response);
      return given.signIn(ctx, proof);
    });

    // The second factor for the pending sign-in.
    router.post('/second-factor/totp', async (ctx) => {
      const interaction = await given.details(ctx);
      const pending = pendingOf(interaction);
      const { code } = parseForm(CodeForm, ctx.request.body);
      await attempt(ctx, pending.accountId);
      if (await factors.totp.verify(pending.accountId, code)) return complete(ctx, pending, 'otp');
      return showStep(ctx, interaction, { error: 'factors.error.wrong_code' }, 400);
    });
    router.post('/second-factor/recovery', async (ctx) => {
      const interaction = await given.details(ctx);
      const pending = pendingOf(interaction);
      const { code } = parseForm(CodeForm, ctx.request.body);
      await attempt(ctx, pending.accountId);
      if (await factors.recovery.use(pending.accountId, code)) return complete(ctx, pending, 'otp');
      return showStep(ctx, interaction, { error: 'factors.error.wrong_recovery_code', recoveryOpen: true }, 400);
    });
    router.post('/second-factor/passkey/options', async (ctx) => {
      const interaction = await given.details(ctx);
      const pending = pendingOf(interaction);
      parseForm(EmptyForm, ctx.request.body);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await factors.passkeys.authenticationOptions(interaction.uid, pending.accountId);
    });
    router.post('/second-factor/passkey', async (ctx) => {
      const interaction = await given.details(ctx);
      const pending = pendingOf(interaction);
      const form = PasskeyForm.safeParse(ctx.request.body ?? {});
      if (!form.success) return showStep(ctx, interaction, { error: 'factors.error.passkey' }, 400);
      await attempt(ctx, pending.accountId);
      const proof = await factors.passkeys
        .authenticate(interaction.uid, form.data.response, pending.accountId)
        .catch(() => undefined);
      if (!proof) return showStep(ctx, interaction, { error: 'factors.error.passkey' }, 400);
      return complete(ctx, pending, proof.amr[0]!);
    });

    // Enrolment, when a second factor is required and the account has none: an authenticator app.
    router.post('/second-factor/totp/start', async (ctx) => {
      const interaction = await given.details(ctx);
      const pending = pendingOf(interaction);
      parseForm(EmptyForm, ctx.request.body);
      if (await factors.has(pending.accountId)) return showStep(ctx, interaction);
      const enrolment = await factors.totp.startEnrolment(pending.accountId, await enrolmentLabel(pending.accountId));
      return page.render(ctx, 'pages/totp-enrol.njk', { ...(await given.common(interaction)), enrolment });
    });
    router.post('/second-factor/totp/confirm', async (ctx) => {
      const interaction = await given.details(ctx);
      const pending = pendingOf(interaction);
      const { code } = parseForm(CodeForm, ctx.request.body);
      await attempt(ctx, pending.accountId);
      if (!(await factors.totp.confirmEnrolment(pending.accountId, code))) {
        const enrolment = await factors.totp.pendingEnrolment(
          pending.accountId,
          await enrolmentLabel(pending.accountId),
        );
        if (!enrolment) return showStep(ctx, interaction, { error: 'factors.error.wrong_code' }, 400);
        const common = await given.common(interaction);
        return page.render(
          ctx,
          'pages/totp-enrol.njk',
          { ...common, enrolment, error: 'factors.error.wrong_code' },
          400,
        );
      }
      // Proven: kept in the interaction while the person copies the recovery codes, shown this once.
      await given.holdSignIn(interaction, { ...pending, second: 'otp' });
      const recoveryCodes = await factors.firstRecoveryCodes(pending.accountId);
      if (!recoveryCodes) return complete(ctx, pending, 'otp');
      return page.render(ctx, 'pages/recovery-codes.njk', { ...(await given.common(interaction)), recoveryCodes });
    });
    router.post('/second-factor/continue', async (ctx) => {
      const interaction = await given.details(ctx);
      const pending = pendingOf(interaction);
      parseForm(EmptyForm, ctx.request.body);
      if (!pending.second) return showStep(ctx, interaction);
      return complete(ctx, pending, pending.second);
    });

    const tenantPolicyPage: PromptPage = async (ctx, interaction) => {
      if (!interaction.prompt.reasons.includes(FIRST_FACTOR_REFUSED)) return showStep(ctx, interaction);
      // Signing in again, another way, is the same request with prompt=login (a new interaction).
      const again = new URLSearchParams({ ...(interaction.params as Record<string, string>), prompt: 'login' });
      return page.render(ctx, 'pages/first-factor-refused.njk', {
        ...(await given.common(interaction)),
        signInAgain: `/auth?${again}`,
      });
    };
    return { [TENANT_POLICY_PROMPT]: tenantPolicyPage };
  };

  return {
    step,
    extension,
    loginOptions: async (interaction) => [
      {
        ...PASSKEY_OPTION,
        action: `/interaction/${interaction.uid}/passkey`,
        webauthnOptions: `/interaction/${interaction.uid}/passkey/options`,
      },
    ],
  };
}
