// The tenant sign-in policy prompt: once the tenant prompts settled which tenant becomes active, a member
// whose sign-in does not meet that tenant's policy is stopped here: without a second factor, they are taken
// to the second-factor step (enrolment when they have none); with a first factor the tenant does not allow,
// they are asked to sign in again another way. Under prompt=none the app gets interaction_required.
import type { KoaContextWithOIDC } from 'oidc-provider';
import { interactionPolicy } from 'oidc-provider';
import { type Prompt as PromptT, promptContext } from '../interaction/kit.js';
import { activeTenantInRequest } from '../tenants/choice.js';
import type { TenantDirectory } from '../tenants/claims.js';
import { firstFactorAllowed, type SignInPolicy } from '../tenants/sign-in-policy.js';

const { Check, Prompt } = interactionPolicy;

export const TENANT_POLICY_PROMPT = 'tenant_sign_in_policy';
export const FIRST_FACTOR_REFUSED = 'tenant_first_factor_refused';
export const TENANT_MFA_REQUIRED = 'tenant_mfa_required';

export function tenantPolicyPrompt(tenants: TenantDirectory): PromptT {
  // Both checks read the same policy: remembered per request, so it is read once.
  const policies = new WeakMap<KoaContextWithOIDC, Promise<{ policy: SignInPolicy; amr: string[] } | undefined>>();
  const policyOf = (ctx: KoaContextWithOIDC) => {
    let found = policies.get(ctx);
    if (!found) {
      found = (async () => {
        const here = promptContext(ctx);
        if (!here) return undefined;
        const active = await activeTenantInRequest(tenants, ctx, here);
        return active && { policy: active.policy, amr: (ctx.oidc.session?.amr ?? []) as string[] };
      })();
      policies.set(ctx, found);
    }
    return found;
  };
  return new Prompt(
    { name: TENANT_POLICY_PROMPT, requestable: false },
    new Check(FIRST_FACTOR_REFUSED, 'the tenant does not allow this way of signing in', async (ctx) => {
      const found = await policyOf(ctx);
      return found ? !firstFactorAllowed(found.policy, found.amr) : Check.NO_NEED_TO_PROMPT;
    }),
    new Check(TENANT_MFA_REQUIRED, 'the tenant requires a second factor', async (ctx) => {
      const found = await policyOf(ctx);
      return found?.policy.require_mfa ? !found.amr.includes('mfa') : Check.NO_NEED_TO_PROMPT;
    }),
  );
}
