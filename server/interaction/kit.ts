// What a feature's sign-in prompts and pages need from the interaction, knowing neither the protocol
// module nor any feature: oidc/ runs the interaction and hands each feature's pages this kit; a feature
// hands its prompts and pages to oidc/ through app.ts, so no feature imports oidc/ for them.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AuthorizationCode, InteractionResults, interactionPolicy, KoaContextWithOIDC } from 'oidc-provider';

export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** A prompt a feature adds to the sign-in's interaction policy. */
export type Prompt = InstanceType<typeof interactionPolicy.Prompt>;

/**
 * How a person proved who they are (RFC 8176 values, and `fed` for a sign-in through an upstream identity
 * provider): carried into the session and the ID token's `amr`. RFC 8176 has no value for e-mail: a code
 * mailed to the person is a one-time password, `otp` (as a first factor; an app's code comes second).
 */
export type Amr = 'pwd' | 'otp' | 'sms' | 'hwk' | 'swk' | 'mfa' | 'fed';

/** A first factor's outcome: the account it proved, how, and through which connection (`idp`), if any. */
export interface SignedIn {
  accountId: string;
  amr: Amr[];
  idp?: string;
}

/** What a prompt's own pages need: the interaction, a way to finish it, and the app's name. */
export interface InteractionKit {
  details(ctx: Context): Promise<Interaction>;
  finish(ctx: Context, result: InteractionResults, merge?: boolean): Promise<void>;
  common(interaction: Interaction): Promise<{ uid: string; clientName: string }>;
  /**
   * Ends the login step for every way of signing in (password, upstream provider, passkey, code): the one
   * place where what follows a first factor (a second factor, the session's `amr`) is decided.
   */
  signIn(ctx: Context, signedIn: SignedIn): Promise<void>;
  /**
   * The first factor of this sign-in that waits for a second: the one held in the interaction (server-side,
   * never in a cookie) by `signIn`, or the session's own when a step-up or a tenant's policy asks for more.
   */
  pendingSignIn(interaction: Interaction): PendingSignIn | undefined;
  /** Keeps the pending sign-in in the interaction (e.g. that its second factor was proven during enrolment). */
  holdSignIn(interaction: Interaction, pending: PendingSignIn): Promise<void>;
  /** Ends the login of a pending sign-in with its second factor: `amr` gains `second` and `mfa`. */
  completeSignIn(ctx: Context, pending: SignedIn, second: Amr): Promise<void>;
}

/** A first factor waiting for its second; `second` once that was proven (enrolment shows codes before going on). */
export interface PendingSignIn extends SignedIn {
  second?: Amr;
}

/**
 * What decides and shows the second-factor step (factors/), handed to oidc/ through app.ts: whether a first
 * factor needs a second before the login ends, and the page that asks for it (or enrols one).
 */
export interface SecondFactorStep {
  /** True when the account has a second factor, or has none but one is asked for (`mfaAskedFor`). */
  needed(accountId: string, mfaAskedFor: boolean): Promise<boolean>;
  page: PromptPage;
}

/**
 * Another way to sign in, offered on the sign-in page under the password form: a button that posts (with
 * the CSRF token) to `action`, a route of the feature's own under /interaction/:uid. `label` is a message
 * key; `labelParams` fill it.
 */
export interface LoginOption {
  id: string;
  action: string;
  label: string;
  labelParams?: Record<string, string>;
  /**
   * The option is a WebAuthn ceremony (a passkey): the page's script fetches the options from this POST route
   * and posts the browser's answer to `action` as `response`; without JavaScript the button stays hidden.
   */
  webauthnOptions?: string;
}

/** A feature's ways to sign in for this interaction (its client, its parameters). */
export type LoginOptions = (interaction: Interaction) => Promise<LoginOption[]>;

/**
 * A way to sign in that starts from what the identity-first step was given, other than an e-mail address
 * (a phone number): it answers the request and returns true when `typed` is its kind, else false.
 */
export type IdentifierStep = (
  ctx: Context,
  interaction: Interaction,
  typed: string,
  kit: InteractionKit,
) => Promise<boolean>;

/** Where the people of a domain sign in (home-realm discovery): a tenant's connection, by its tenant's choice. */
export interface RealmRoute {
  slug: string;
  name: string;
  /** False: a password is never checked for an address of this domain. */
  passwordAllowed: boolean;
}

/**
 * Home-realm discovery (federation/), handed to the sign-in page through app.ts: where an e-mail address's
 * (or a domain's) people sign in, decided by the domain alone, never by whether an account exists.
 */
export interface HomeRealmDiscovery {
  routeOf(emailOrDomain: string): Promise<RealmRoute | undefined>;
  /**
   * Starts the upstream sign-in of the interaction through the route's connection: the browser goes there.
   * `loginHint`: the address the person gave, passed on so the provider need not ask for it again.
   */
  start(route: RealmRoute, interactionUid: string, loginHint?: string): Promise<URL>;
}

/** How Tessera's own pages (outside a sign-in) learn who is signed in and send them to sign in; from oidc/. */
export interface SignedInBrowser {
  accountId(ctx: Context): Promise<string | undefined>;
  /** When this browser's session last signed in (a first factor), if it is signed in. */
  signedInAt(ctx: Context): Promise<Date | undefined>;
  /** Where to sign in and come back to `returnTo`; `again` asks even a signed-in browser (prompt=login). */
  signInUrl(ctx: Context, returnTo: string, options?: { again?: boolean; loginHint?: string }): string;
}

/** Shows the page of one prompt; an extension returns one per prompt name it adds to the policy. */
export type PromptPage = (ctx: Context, interaction: Interaction) => Promise<void>;

/** Adds a prompt's routes (its POSTs) under /interaction/:uid and returns its pages by prompt name. */
export type InteractionExtension = (router: Router, kit: InteractionKit) => Record<string, PromptPage>;

interface PromptContext {
  accountId: string;
  grantId: string;
}

/**
 * A feature's prompts apply once the person is signed in and the grant exists (they run after consent),
 * and, with `scope`, only when the app asked for that scope.
 */
export function promptContext(ctx: KoaContextWithOIDC, { scope }: { scope?: string } = {}): PromptContext | undefined {
  const { oidc } = ctx;
  const accountId = oidc.session?.accountId;
  const grantId = oidc.grant?.jti;
  if (!accountId || !grantId || (scope !== undefined && !oidc.requestParamScopes.has(scope))) return undefined;
  return { accountId, grantId };
}

/**
 * Claims held for one authorization code: `hold` after a request that issued a code, `redeem` at that code's
 * exchange (once: spent there), so only the ID token of that exchange carries them.
 */
export interface CodeClaims {
  hold(ctx: KoaContextWithOIDC): Promise<void>;
  redeem(code: AuthorizationCode): Promise<Record<string, unknown> | undefined>;
}
