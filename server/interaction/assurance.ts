// How strongly a person signed in, as apps see it: `acr` values (documented in docs/sign-in.md), the
// login-prompt check that asks a signed-in person for a second factor when an app wants one (step-up),
// and whether a request asks for one (`acr_values`, or a client registered with `require_mfa`).
import type { KoaContextWithOIDC } from 'oidc-provider';
import { interactionPolicy } from 'oidc-provider';
import type { Amr } from './kit.js';

/** Signed in with one factor (a password, an upstream provider, a code). */
export const ACR_SINGLE_FACTOR = 'urn:tessera:acr:1fa';
/** Signed in with two factors (a password and a TOTP code, a passkey with user verification…). */
export const ACR_MFA = 'urn:tessera:acr:mfa';
export const ACR_VALUES = [ACR_SINGLE_FACTOR, ACR_MFA];

/** The login prompt's reason when a signed-in person must add a second factor. */
export const STEP_UP_REASON = 'mfa_required';

export const acrOf = (amr: readonly string[]) => (amr.includes('mfa') ? ACR_MFA : ACR_SINGLE_FACTOR);

/** The `amr` of a first factor completed by a second: each method once, and `mfa`. */
export const withSecondFactor = (amr: readonly Amr[], second: Amr): Amr[] => [
  ...new Set([...amr, second, 'mfa' as const]),
];

/** Does this request's app want two factors: `acr_values` naming ACR_MFA, or the client's `require_mfa`? */
export function mfaAskedFor(acrValues: unknown, clientMetadata: Record<string, unknown> | undefined): boolean {
  const asked = typeof acrValues === 'string' ? acrValues.split(' ') : [];
  return asked.includes(ACR_MFA) || clientMetadata?.require_mfa === true;
}

/** Added to the login prompt: a session with one factor goes through the second-factor step when an app wants two. */
export function stepUpCheck() {
  const { Check } = interactionPolicy;
  return new Check(STEP_UP_REASON, 'the app asks for a second factor', (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    if (!oidc.session?.accountId) return Check.NO_NEED_TO_PROMPT;
    if (!mfaAskedFor(oidc.params?.acr_values, oidc.client?.metadata())) return Check.NO_NEED_TO_PROMPT;
    return oidc.session.acr !== ACR_MFA;
  });
}
