// The pages oidc-provider sends people to during sign-in: login, registration, consent.
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { errors, type InteractionResults } from 'oidc-provider';
import { z } from 'zod';
import { API_SCOPES } from './protocol.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../accounts/passwords.js';
import { bindRegisteringBrowser } from '../accounts/registering-browser.js';
import { applyPrefill, type Prefill } from '../accounts/prefill.js';
import { OPEN_REGISTRATION, type RegistrationGate } from '../accounts/registration-gate.js';
import { SUPPORTED_LOCALES } from '../render.js';
import { type AccountService, normaliseEmail } from '../accounts/service.js';
import { TERMS_ACCEPTED, type Terms } from '../accounts/terms.js';
import { BadRequest } from '../errors.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { ACR_MFA, acrOf, mfaAskedFor, STEP_UP_REASON, withSecondFactor } from '../interaction/assurance.js';
import type {
  Amr,
  HomeRealmDiscovery,
  IdentifierStep,
  Interaction,
  InteractionExtension,
  InteractionKit,
  LoginOptions,
  PendingSignIn,
  PromptPage,
  RealmRoute,
  SecondFactorStep,
  SignedIn,
} from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';

export interface InteractionDeps {
  provider: Provider;
  accounts: AccountService;
  page: PageRenderer;
  limits: { signInPerIp: RateLimiter; signInPerAccount: RateLimiter; registerPerIp: RateLimiter };
  extensions?: InteractionExtension[];
  /** The features' other ways to sign in, offered on the sign-in page (upstream providers, passkeys…). */
  loginOptions?: LoginOptions[];
  /** The e-mail the flow's parameters prove a mailbox for (an invitation Tessera mailed), if any. */
  provenEmail?: (params: Interaction['params']) => Promise<string | undefined>;
  /** The phone number the flow's parameters prove (an invitation Tessera texted), if any. */
  provenPhone?: (params: Interaction['params']) => Promise<string | undefined>;
  /** The tenant an invitation in the flow's parameters is for, to greet the person on the sign-in page. */
  invitationTenant?: (params: Interaction['params']) => Promise<string | undefined>;
  /** The second-factor step (factors/): asked for after a first factor when the account has one or the app wants it. */
  secondFactor?: SecondFactorStep;
  /** Home-realm discovery (federation/): an address whose domain a tenant routes to its connection signs in there. */
  homeRealm?: HomeRealmDiscovery;
  /** The page asks for the address alone first (SIGN_IN_IDENTITY_FIRST); otherwise address and password at once. */
  identityFirst?: boolean;
  /** What the identity-first step takes besides an address (a phone number: SMS codes), tried in order. */
  identifiers?: IdentifierStep[];
  /** Whether this sign-in may create an account (REGISTRATION): asked before the registration form shows or posts. */
  registration?: RegistrationGate;
  /** The terms of service the registration form asks to accept (TERMS_URL), if any. */
  terms?: Terms;
  /** The sign-up fields an invitation in the flow's parameters pre-fills (name, locale), if any. */
  prefill?: (params: Interaction['params']) => Promise<Prefill | undefined>;
}

/** Where a first factor waiting for its second is kept: the interaction's stored result, on the server. */
const PENDING = 'pending_sign_in';
/** Marks an interaction whose hint sent the browser to a connection already: coming back shows Tessera's page. */
const HINT_ROUTED = 'hint_routed';

/** The identity-first step: the address alone; its domain decides what follows, never whether an account exists. */
const identifyForm = z.object({ email: z.string().trim().min(1).max(320) });

const signInForm = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

export const registrationForm = z.object({
  name: z.string({ error: 'name_required' }).trim().min(1, 'name_required').max(200, 'name_too_long'),
  email: z.email({ error: 'email_invalid' }).max(320, 'email_invalid'),
  password: z
    .string({ error: 'password_too_short' })
    .min(MIN_PASSWORD_LENGTH, 'password_too_short')
    .max(MAX_PASSWORD_LENGTH, 'password_too_long'),
  /** The terms checkbox: required only when TERMS_URL is set (checked after parsing). */
  terms: z.string().optional(),
});

/** The login_hint when it is an e-mail (an invitation bound to a phone hints its number, for the phone page). */
const emailHint = (interaction: Interaction) => {
  const hint = interaction.params.login_hint;
  return typeof hint === 'string' && hint.includes('@') ? hint : '';
};

/** What the consent page lists: scopes with their own words, and permissions of the apps' APIs by name and API. */
function missingScopes(details: Interaction): {
  scopes: string[];
  permissions: { permission: string; resource: string }[];
} {
  const d = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
  const known = new Set<string>(API_SCOPES);
  const resource = Object.values(d.missingResourceScopes ?? {})
    .flat()
    .filter((s) => known.has(s));
  const permissions = Object.entries(d.missingResourceScopes ?? {}).flatMap(([indicator, scopes]) =>
    scopes.filter((s) => !known.has(s)).map((permission) => ({ permission, resource: indicator })),
  );
  return {
    scopes: [...new Set([...(d.missingOIDCScope ?? []), ...resource])].filter((s) => s !== 'openid'),
    permissions,
  };
}

export function interactionRoutes(deps: InteractionDeps): Router {
  const { provider, accounts, page, limits } = deps;
  const gate = deps.registration ?? OPEN_REGISTRATION;
  const router = new Router({ prefix: '/interaction/:uid' });
  const kit: InteractionKit = {
    details: (ctx) => details(ctx),
    finish: (ctx, result, merge) => finish(ctx, result, merge),
    common: (i) => commonOf(i),
    signIn: (ctx, signedIn) => signIn(ctx, signedIn),
    pendingSignIn: (interaction) => pendingSignIn(interaction),
    holdSignIn: (interaction, pending) => holdSignIn(interaction, pending),
    completeSignIn: (ctx, pending, second) =>
      login(ctx, { ...pending, amr: withSecondFactor(pending.amr, second) }, true),
  };
  const pages: Record<string, PromptPage> = Object.assign(
    {},
    ...(deps.extensions ?? []).map((extend) => extend(router, kit)),
  );

  // An interaction lives an hour, in one browser: past that, or elsewhere, the person starts again from the app.
  const details = (ctx: Context) =>
    provider.interactionDetails(ctx.req, ctx.res).catch((error: unknown) => {
      if (error instanceof errors.SessionNotFound)
        throw new BadRequest('The sign-in expired or was opened in another browser.', 'session_not_found');
      throw error;
    });
  const clientName = async (clientId: unknown) =>
    (await provider.Client.find(String(clientId)))?.clientName ?? String(clientId);
  const commonOf = async (interaction: Interaction) => ({
    uid: interaction.uid,
    clientName: await clientName(interaction.params.client_id),
  });
  /** Finishes the interaction and sends the browser back to the provider (303, so the POST is not repeated). */
  async function finish(ctx: Context, result: InteractionResults, merge = true): Promise<void> {
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
    ctx.redirect(to);
    ctx.status = 303;
  }

  /**
   * Every first factor ends here. An account with a second factor (or without one, when the app asks for
   * two) is held in the interaction and taken to the second-factor step; otherwise the login ends, and the
   * session remembers how the person signed in (`amr` and `acr` in the ID token).
   */
  async function signIn(ctx: Context, signedIn: SignedIn): Promise<void> {
    const interaction = await details(ctx);
    if (deps.secondFactor && !signedIn.amr.includes('mfa')) {
      const client = await provider.Client.find(String(interaction.params.client_id));
      if (
        await deps.secondFactor.needed(
          signedIn.accountId,
          mfaAskedFor(interaction.params.acr_values, client?.metadata()),
        )
      ) {
        await holdSignIn(interaction, { ...signedIn });
        ctx.status = 303;
        return ctx.redirect(`/interaction/${interaction.uid}`);
      }
    }
    return login(ctx, signedIn, false);
  }
  function login(ctx: Context, { accountId, amr, idp }: SignedIn, merge: boolean): Promise<void> {
    // `idp` rides in the login result; the provider middleware keeps it with the session (session-sign-ins.ts).
    return finish(ctx, { login: { accountId, amr, acr: acrOf(amr), ...(idp ? { idp } : {}) } }, merge);
  }
  async function holdSignIn(interaction: Interaction, pending: PendingSignIn): Promise<void> {
    interaction.result = { [PENDING]: pending };
    await saveInteraction(interaction);
  }
  const saveInteraction = (interaction: Interaction) =>
    interaction.save(Math.max(1, (interaction.exp ?? 0) - Math.floor(Date.now() / 1000)));
  function pendingSignIn(interaction: Interaction): PendingSignIn | undefined {
    const held = interaction.result?.[PENDING] as PendingSignIn | undefined;
    if (held) return held;
    const session = interaction.session;
    const stepUp = interaction.prompt.name !== 'login' || interaction.prompt.reasons.includes(STEP_UP_REASON);
    if (!session?.accountId || !stepUp || session.acr === ACR_MFA) return undefined;
    return { accountId: session.accountId, amr: (session.amr ?? []) as Amr[] };
  }
  /**
   * The sign-in page, with the features' other ways to sign in for this interaction: its password step
   * (the default), or its identity-first step (`step: 'identify'`) that asks for the address alone.
   */
  /** The registration form, when this sign-in may create an account (else the polite refusal, 403). */
  async function registerPage(ctx: Context, interaction: Interaction, data: Record<string, unknown>, status = 200) {
    await gate.assertAllowed(interaction.params);
    const invitationTenant = await deps.invitationTenant?.(interaction.params);
    const prefill = await deps.prefill?.(interaction.params);
    const view = {
      ...(await kit.common(interaction)),
      invitationTenant,
      terms: deps.terms,
      prefill,
      locales: SUPPORTED_LOCALES,
      ...data,
      // A fixed name shows the invitation's, even on a form posted back with another.
      ...(prefill?.name && (!prefill.name.editable || data.name === undefined) ? { name: prefill.name.value } : {}),
    };
    return page.render(ctx, 'pages/register.njk', view, status);
  }
  async function loginPage(ctx: Context, interaction: Interaction, data: Record<string, unknown>, status = 200) {
    const options = (await Promise.all((deps.loginOptions ?? []).map((of) => of(interaction)))).flat();
    const passkeys = options.find((option) => option.webauthnOptions);
    return page.render(
      ctx,
      'pages/login.njk',
      {
        ...(await kit.common(interaction)),
        options,
        passkeys,
        step: 'password',
        identityFirst: deps.identityFirst,
        phoneIdentifier: Boolean(deps.identifiers?.length),
        registrationOpen: await gate.allowed(interaction.params),
        ...data,
      },
      status,
    );
  }
  /** Where the request's `login_hint` (an address) or `domain_hint` signs in, if a tenant routes it. */
  async function hintedRealm(interaction: Interaction) {
    const { login_hint: address, domain_hint: domain } = interaction.params;
    const hint = typeof address === 'string' && address.includes('@') ? address : domain;
    return typeof hint === 'string' && hint ? deps.homeRealm?.routeOf(hint) : undefined;
  }
  /** Sends the browser to the upstream sign-in of the interaction through a routed domain's connection. */
  async function toRealm(ctx: Context, interaction: Interaction, realm: RealmRoute, address?: string) {
    const url = await deps.homeRealm!.start(realm, interaction.uid, address);
    ctx.status = 303;
    ctx.redirect(url.href);
  }

  router.get('/', async (ctx) => {
    const interaction = await details(ctx);
    const common = await kit.common(interaction);
    if (interaction.prompt.name === 'login' && deps.secondFactor && pendingSignIn(interaction))
      return deps.secondFactor.page(ctx, interaction);
    if (interaction.prompt.name === 'login') {
      const email = emailHint(interaction);
      const invitationTenant = await deps.invitationTenant?.(interaction.params);
      // screen=register opens the registration form first; its "sign in" link comes back with ?screen=login.
      if (interaction.params.screen === 'register' && ctx.query.screen !== 'login')
        return registerPage(ctx, interaction, { email });
      // A hint whose domain routes to a connection goes straight there, once: back from it, the page shows.
      const realm = await hintedRealm(interaction);
      if (realm && !interaction.result?.[HINT_ROUTED]) {
        interaction.result = { ...interaction.result, [HINT_ROUTED]: true };
        await saveInteraction(interaction);
        return toRealm(ctx, interaction, realm, email.includes('@') ? email : undefined);
      }
      // Identity-first: the address alone first, unless the app named it (login_hint) or the person asked.
      const asked = ctx.query.step === 'identify' || ctx.query.step === 'password' ? ctx.query.step : undefined;
      const step = asked ?? (deps.identityFirst && !email ? 'identify' : 'password');
      return loginPage(ctx, interaction, { email, invitationTenant, step, realm });
    }
    if (interaction.prompt.name === 'consent') {
      const account = await accounts.findById(interaction.session?.accountId ?? '');
      return page.render(ctx, 'pages/consent.njk', {
        ...common,
        ...missingScopes(interaction),
        signedInAs: account?.email ?? account?.name,
      });
    }
    const extension = pages[interaction.prompt.name];
    if (extension) return extension(ctx, interaction);
    // A prompt Tessera does not know can only come from a misconfiguration: fail the flow cleanly.
    return finish(
      ctx,
      { error: 'interaction_required', error_description: `unsupported prompt ${interaction.prompt.name}` },
      false,
    );
  });

  // Identity-first: a phone number goes to its code (when SMS codes are on); an address whose domain a tenant
  // routes to its connection signs in there; any other address gets the password step (and the other ways).
  // No account is looked up, so nothing is told.
  router.post('/identify', async (ctx) => {
    const interaction = await details(ctx);
    const form = identifyForm.safeParse(ctx.request.body);
    if (!form.success)
      return loginPage(ctx, interaction, { step: 'identify', error: 'login.error.email_required' }, 400);
    for (const step of deps.identifiers ?? []) if (await step(ctx, interaction, form.data.email, kit)) return;
    const realm = await deps.homeRealm?.routeOf(form.data.email);
    if (realm && interaction.prompt.name === 'login') return toRealm(ctx, interaction, realm, form.data.email);
    return loginPage(ctx, interaction, { email: form.data.email });
  });

  router.post('/login', async (ctx) => {
    const interaction = await details(ctx);
    const form = signInForm.safeParse(ctx.request.body);
    if (!form.success) return loginPage(ctx, interaction, { error: 'login.error.invalid_credentials' }, 400);
    // A tenant that signs its domain's people in through its connection may refuse their passwords: the
    // password is never checked, whether or not the account exists, and the page offers the connection.
    const realm = await deps.homeRealm?.routeOf(form.data.email);
    if (realm && !realm.passwordAllowed)
      return loginPage(ctx, interaction, { email: form.data.email, realm, refused: true }, 403);
    await limits.signInPerIp.consume(ctx.ip);
    await limits.signInPerAccount.consume(form.data.email.toLowerCase());
    const result = await accounts.signIn(form.data.email, form.data.password);
    if (!result.ok) {
      // The right password for an unconfirmed address: this browser may confirm it with the link mailed now.
      if (result.reason === 'email_not_verified') bindRegisteringBrowser(ctx, result.accountId);
      return loginPage(ctx, interaction, { email: form.data.email, error: `login.error.${result.reason}` }, 400);
    }
    await limits.signInPerAccount.reset(form.data.email.toLowerCase());
    return signIn(ctx, { accountId: result.account.id, amr: ['pwd'] });
  });

  router.get('/register', async (ctx) => {
    const interaction = await details(ctx);
    return registerPage(ctx, interaction, { email: emailHint(interaction) });
  });

  router.post('/register', async (ctx) => {
    const interaction = await details(ctx);
    await gate.assertAllowed(interaction.params);
    const form = registrationForm.safeParse(ctx.request.body);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const problems = [
      ...(form.success ? [] : form.error.issues.map((i) => i.message)),
      ...(deps.terms && body.terms !== TERMS_ACCEPTED ? ['terms_required'] : []),
    ];
    if (!form.success || problems.length) {
      const errors = [...new Set(problems.map((p) => `register.error.${p}`))];
      return registerPage(ctx, interaction, { errors, name: body.name, email: body.email }, 400);
    }
    await limits.registerPerIp.consume(ctx.ip);
    const { terms: _checkbox, ...fields } = form.data;
    // A field the invitation fixed keeps its value, whatever was posted.
    const chosen = applyPrefill(
      await deps.prefill?.(interaction.params),
      { ...fields, locale: body.locale },
      page.locale(ctx),
    );
    const registration = { ...fields, ...chosen, termsVersion: deps.terms?.version };
    const proven = await deps.provenEmail?.(interaction.params);
    const account = await accounts.register(registration, {
      emailProven: proven !== undefined && proven === normaliseEmail(form.data.email),
      phoneProven: await deps.provenPhone?.(interaction.params),
    });
    // An invitation link mailed to this address proved the mailbox: the person is signed in at once.
    if (account?.emailVerified) return signIn(ctx, { accountId: account.id, amr: ['pwd'] });
    bindRegisteringBrowser(ctx, account?.id);
    return page.render(ctx, 'pages/check-inbox.njk', { ...(await kit.common(interaction)), email: form.data.email });
  });

  router.post('/consent', async (ctx) => {
    const interaction = await details(ctx);
    if (interaction.prompt.name !== 'consent') return finish(ctx, {}, true);
    const d = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const grant = interaction.grantId
      ? (await provider.Grant.find(interaction.grantId))!
      : new provider.Grant({
          accountId: interaction.session!.accountId,
          clientId: String(interaction.params.client_id),
        });
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    return finish(ctx, { consent: { grantId } }, true);
  });

  router.post('/abort', async (ctx) => {
    await details(ctx);
    return finish(ctx, { error: 'access_denied', error_description: 'The person cancelled the sign-in.' }, false);
  });

  return router;
}
