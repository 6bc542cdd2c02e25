// The pages of the invitation prompts: accept / decline the invitation the flow carries, and the
// review of pending invitations bound to the account's e-mail. POSTs act on exactly what was shown.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountService } from '../accounts/service.js';
import { BadRequest } from '../errors.js';
import { parseForm } from '../interaction/forms.js';
import type { Interaction, InteractionExtension, InteractionKit } from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import { chosenInResult, tenantChoice } from '../tenants/choice.js';
import type { AddressProof } from './address-proof.js';
import { addressProofInteractions } from './address-pages.js';
import { InvitationForm, ReviewForm } from './forms.js';
import { invitationResult } from './id-token-claim.js';
import { refusalStatus } from './pages.js';
import { type Decided, type InvitationDetails, InvitationRefused, type RedemptionService } from './redemption.js';

interface Deps {
  provider: Provider;
  accounts: AccountService;
  redemption: RedemptionService;
  page: PageRenderer;
  /** "This is my address" on the wrong-account page (address-pages.ts). */
  proof?: AddressProof;
}

const tokenOf = (interaction: Interaction) => String(interaction.params.invitation ?? '');

/** The same authorization request again, asking to sign in afresh: "not you? use another account". */
export function switchAccountUrl(interaction: Interaction): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(interaction.params)) if (typeof value === 'string') params.set(key, value);
  params.set('prompt', 'login');
  return `/auth?${params.toString()}`;
}

/** A joined tenant becomes the request's tenant choice, so the tokens of its code carry it. */
const joinedTenant = (decided: Decided) => (decided.outcome === 'declined' ? undefined : decided.invitation.tenantId);

/** The interaction result part that keeps a tenant chosen earlier in this interaction (a review accept). */
const choiceOf = (tenantId: string | undefined) => (tenantId ? tenantChoice(tenantId) : {});

export function invitationInteractions({ provider, accounts, redemption, page, proof }: Deps): InteractionExtension {
  const signedIn = async (interaction: Interaction) => {
    const accountId = interaction.session?.accountId;
    if (!accountId) throw new BadRequest('Sign in first.', 'session_not_found');
    const account = await accounts.findById(accountId);
    return { accountId, who: account?.email ?? account?.name ?? accountId };
  };

  return (router: Router, kit: InteractionKit) => {
    const problemPage = async (ctx: Context, interaction: Interaction, error: InvitationRefused, who?: string) =>
      page.render(
        ctx,
        'pages/invitation-problem.njk',
        {
          ...(await kit.common(interaction)),
          problem: error.problem,
          who,
          inFlow: true,
          switchUrl: switchAccountUrl(interaction),
          ...(error.problem === 'wrong_account' ? await proving?.offer(interaction) : {}),
        },
        refusalStatus(error.problem),
      );

    const proving =
      proof && addressProofInteractions(router, kit, { proof, page, signedIn, tokenOf, problem: problemPage });

    const showInvitation = async (ctx: Context, interaction: Interaction) => {
      const { accountId, who } = await signedIn(interaction);
      let invitation: InvitationDetails;
      try {
        invitation = await redemption.open(tokenOf(interaction), accountId);
      } catch (error) {
        if (error instanceof InvitationRefused) return problemPage(ctx, interaction, error, who);
        throw error;
      }
      const alreadyMember = await redemption.isAlreadyMember(invitation.id, accountId);
      return page.render(ctx, 'pages/invitation.njk', {
        ...(await kit.common(interaction)),
        invitation,
        who,
        alreadyMember,
        switchUrl: switchAccountUrl(interaction),
        noReferrer: true,
      });
    };

    const showReview = async (
      ctx: Context,
      interaction: Interaction,
      extra: Record<string, unknown> = {},
      chosen = chosenInResult(interaction.result),
    ) => {
      const { accountId, who } = await signedIn(interaction);
      const pending = await redemption.pendingFor(accountId);
      if (!pending.items.length) return kit.finish(ctx, { review_invitations: { done: true }, ...choiceOf(chosen) });
      return page.render(ctx, 'pages/review-invitations.njk', {
        ...(await kit.common(interaction)),
        pending: pending.items,
        more: pending.more,
        who,
        ...extra,
      });
    };

    router.post('/invitation', async (ctx) => {
      const form = parseForm(InvitationForm, ctx.request.body);
      const interaction = await kit.details(ctx);
      const { accountId, who } = await signedIn(interaction);
      if (form.decision === 'skip') return kit.finish(ctx, { invitation: { result: 'skipped' } });
      const token = tokenOf(interaction);
      try {
        const shown = await redemption.open(token);
        // Act on exactly the invitation the page showed.
        if (form.invitation_id !== shown.id)
          throw new BadRequest('This form does not match the invitation shown.', 'invitation_mismatch');
        const decided =
          form.decision === 'accept'
            ? await redemption.accept({ token }, accountId)
            : await redemption.decline({ token }, accountId);
        return kit.finish(ctx, {
          // The id rides in the result: the ID token of this flow's code carries it (id-token-claim.ts).
          ...invitationResult({ result: decided.outcome, tenantId: decided.invitation.tenantId, id: shown.id }),
          ...choiceOf(joinedTenant(decided)),
        });
      } catch (error) {
        if (error instanceof InvitationRefused) return problemPage(ctx, interaction, error, who);
        throw error;
      }
    });

    router.post('/review', async (ctx) => {
      const form = parseForm(ReviewForm, ctx.request.body);
      const interaction = await kit.details(ctx);
      const { accountId } = await signedIn(interaction);
      if (form.decision === 'later')
        return kit.finish(ctx, {
          review_invitations: { later: true },
          ...choiceOf(chosenInResult(interaction.result)),
        });
      const id = form.invitation_id;
      // Only invitations this page lists (bound to this account's verified e-mail) can be decided here.
      if (!(await redemption.isPendingFor(accountId, id)))
        throw new BadRequest('That invitation is not waiting for you.', 'invitation_mismatch');
      try {
        const decided =
          form.decision === 'accept'
            ? await redemption.accept({ id }, accountId)
            : await redemption.decline({ id }, accountId);
        // The page stays for the other invitations: the choice is kept in this interaction's result meanwhile.
        const chosen = joinedTenant(decided) ?? chosenInResult(interaction.result);
        if (chosen) await provider.interactionResult(ctx.req, ctx.res, tenantChoice(chosen));
        return showReview(
          ctx,
          interaction,
          {
            notice: `review.done.${decided.outcome === 'declined' ? 'declined' : 'accepted'}`,
            tenant: decided.invitation.tenantName,
          },
          chosen,
        );
      } catch (error) {
        if (error instanceof InvitationRefused)
          return showReview(ctx, interaction, { error: `invitation.problem.${error.problem}.body` });
        throw error;
      }
    });

    return { invitation: showInvitation, review_invitations: (ctx, interaction) => showReview(ctx, interaction) };
  };
}
