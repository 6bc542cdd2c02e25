// The page of the domain join prompt: the offer of the tenant that holds the person's e-mail domain
// (join, ask to join, or decline), and an admin's decision on their request. POSTs act on what was shown.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { BadRequest, Conflict } from '../errors.js';
import { parseForm } from '../interaction/forms.js';
import type { Interaction, InteractionExtension, InteractionKit } from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import { tenantChoice } from '../tenants/choice.js';
import { DomainJoinForm } from './domains-forms.js';
import type { JoinService, JoinStep } from './domains-joins.js';

interface Deps {
  joins: JoinService;
  page: PageRenderer;
}

const accountOf = (interaction: Interaction) => {
  const accountId = interaction.session?.accountId;
  if (!accountId) throw new BadRequest('Sign in first.', 'session_not_found');
  return accountId;
};

export function domainInteractions({ joins, page }: Deps): InteractionExtension {
  return (router: Router, kit: InteractionKit) => {
    const render = async (
      ctx: Context,
      interaction: Interaction,
      step: JoinStep | { kind: 'requested'; tenantName: string },
    ) => page.render(ctx, 'pages/domain-join.njk', { ...(await kit.common(interaction)), step });

    /** Nothing (left) to show: the sign-in goes on. */
    const done = (ctx: Context, result: string, tenantId?: string) =>
      kit.finish(ctx, { domain_join: { result }, ...(tenantId ? tenantChoice(tenantId) : {}) });

    router.post('/domain-join', async (ctx) => {
      const form = parseForm(DomainJoinForm, ctx.request.body);
      const interaction = await kit.details(ctx);
      const accountId = accountOf(interaction);
      if (form.decision === 'continue') {
        if (!form.request_id) return done(ctx, 'requested');
        const step = await joins.stepFor(accountId);
        // Only the decision the page showed, and only the person's own, is marked seen.
        if (step?.kind !== 'outcome' || step.requestId !== form.request_id) return done(ctx, 'seen');
        await joins.markSeen(accountId, step.requestId);
        return done(ctx, step.status, step.status === 'approved' ? step.tenantId : undefined);
      }
      const step = await joins.stepFor(accountId);
      try {
        const joined = await joins.decide(accountId, form.tenant_id, form.decision);
        if (form.decision === 'request' && step?.kind === 'offer')
          return render(ctx, interaction, { kind: 'requested', tenantName: step.owner.tenantName });
        return done(ctx, joined ? 'joined' : form.decision === 'skip' ? 'skipped' : 'requested', joined);
      } catch (error) {
        // The offer went away meanwhile (a policy changed, another tab decided): the sign-in simply goes on.
        if (error instanceof Conflict) return done(ctx, 'unavailable');
        throw error;
      }
    });

    return {
      domain_join: async (ctx, interaction) => {
        const step = await joins.stepFor(accountOf(interaction));
        if (!step) return done(ctx, 'unavailable');
        return render(ctx, interaction, step);
      },
    };
  };
}
