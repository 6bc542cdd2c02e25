// The invitation prompts, after consent and before the tenant prompts: review the invitations bound
// to the account's verified e-mail, then the invitation the app passed with `invitation=<token>`.
import { interactionPolicy } from 'oidc-provider';
import { type Prompt as PromptT, promptContext } from '../interaction/kit.js';
import type { RedemptionService } from './redemption.js';

const { Check, Prompt } = interactionPolicy;

export function invitationPrompts(redemption: RedemptionService): PromptT[] {
  // Never under prompt=none and never blocking: "decide later" resolves it for this sign-in.
  const review = new Prompt(
    { name: 'review_invitations', requestable: false },
    new Check('pending_invitations', 'invitations await a decision', async (ctx) => {
      const here = promptContext(ctx);
      if (!here || ctx.oidc.promptPending('none') || ctx.oidc.result?.review_invitations || ctx.oidc.params?.invitation)
        return Check.NO_NEED_TO_PROMPT;
      return redemption.hasPending(here.accountId);
    }),
  );

  // Shown whatever the token's state: a bad invitation gets Tessera's own page with "continue without joining".
  const invitation = new Prompt(
    { name: 'invitation', requestable: false },
    new Check('invitation_pending', 'an invitation awaits a decision', (ctx) => {
      const here = promptContext(ctx);
      return Boolean(here && typeof ctx.oidc.params?.invitation === 'string' && !ctx.oidc.result?.invitation);
    }),
  );

  return [review, invitation];
}
