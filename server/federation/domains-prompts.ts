// The domain join prompt, after the invitation prompts and before the tenant prompts (so a tenant joined
// here can become the active one): right after a person signs in, their verified e-mail's domain may offer
// its tenant (suggest, request), join them silently (auto), or an admin's decision on their request waits.
import { interactionPolicy } from 'oidc-provider';
import { type Prompt as PromptT, promptContext } from '../interaction/kit.js';
import type { JoinService } from './domains-joins.js';

const { Check, Prompt } = interactionPolicy;

export function domainPrompts(joins: JoinService): PromptT[] {
  return [
    new Prompt(
      { name: 'domain_join', requestable: false },
      new Check('domain_join', 'a verified domain offers a tenant to join', async (ctx) => {
        const here = promptContext(ctx);
        // Only in the interaction where the person signed in: a silent authorization never pays for it.
        if (!here || ctx.oidc.promptPending('none') || !ctx.oidc.result?.login || ctx.oidc.result?.domain_join)
          return Check.NO_NEED_TO_PROMPT;
        const step = await joins.stepFor(here.accountId);
        if (!step) return Check.NO_NEED_TO_PROMPT;
        if (step.kind === 'offer' && step.owner.joinPolicy === 'auto') {
          // Joined without a page: the select-tenant step that follows sees the new membership.
          await joins.joinAutomatically(here.accountId);
          return Check.NO_NEED_TO_PROMPT;
        }
        return true;
      }),
    ),
  ];
}
