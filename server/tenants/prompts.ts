// The tenant prompts: create a first tenant (self-service), then choose the active tenant.
// They run after consent so the grant exists; the choice counts once the app redeems the code (choice.ts).
import { interactionPolicy } from 'oidc-provider';
import { type Prompt as PromptT, promptContext } from '../interaction/kit.js';
import { chosenInRequest, noteHintedTenant, tenantsInRequest } from './choice.js';
import { type TenantDirectory, TENANTS_SCOPE } from './claims.js';

const { Check, Prompt } = interactionPolicy;

export function tenantPrompts(tenants: TenantDirectory, { selfService }: { selfService: boolean }): PromptT[] {
  const prompts: PromptT[] = [];

  if (selfService) {
    // A person with no tenant is offered to create one (never under prompt=none; skipping is allowed).
    prompts.push(
      new Prompt(
        { name: 'create_tenant', requestable: false },
        new Check('no_tenant', 'the account belongs to no tenant', async (ctx) => {
          const here = promptContext(ctx, { scope: TENANTS_SCOPE }); // only when the app asked for tenants
          if (!here || ctx.oidc.promptPending('none') || ctx.oidc.result?.create_tenant) return Check.NO_NEED_TO_PROMPT;
          return (await tenantsInRequest(tenants, ctx, here)).memberships.length === 0;
        }),
      ),
    );
  }

  prompts.push(
    new Prompt(
      { name: 'select_tenant', requestable: true },
      new Check('active_tenant_missing', 'the active tenant is to be chosen', async (ctx) => {
        const here = promptContext(ctx, { scope: TENANTS_SCOPE });
        if (!here || ctx.oidc.result?.select_tenant) return Check.NO_NEED_TO_PROMPT;
        const hint = ctx.oidc.params?.tenant_hint;
        // Under prompt=none without a hint nothing is chosen here: no need to read the memberships.
        if (typeof hint !== 'string' && ctx.oidc.promptPending('none')) return Check.NO_NEED_TO_PROMPT;
        const { memberships, chosen } = await tenantsInRequest(tenants, ctx, here);
        const hinted = typeof hint === 'string' ? tenants.resolveHint(hint, memberships) : undefined;
        if (hinted) {
          // A valid hint chooses silently, even under prompt=none (for this request's code only).
          noteHintedTenant(ctx, hinted.tenant_id);
          return Check.NO_NEED_TO_PROMPT;
        }
        if (ctx.oidc.promptPending('none')) return Check.NO_NEED_TO_PROMPT;
        if (tenants.activeOf(chosenInRequest(ctx) ?? chosen, memberships)) return Check.NO_NEED_TO_PROMPT;
        return memberships.length >= 2;
      }),
    ),
  );

  return prompts;
}
