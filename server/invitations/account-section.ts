// The account page's "Pending invitations": those bound to one of the account's verified addresses (its
// e-mail, one it proved for invitations, its phone), with Join and Decline. They go through the same
// redemption as the invitation page: exact single use, the binding checked again, quotas, audit.
import type { Context } from 'koa';
import { z } from 'zod';
import type { AccountSection } from '../accounts/account-page.js';
import { AppError, BadRequest } from '../errors.js';
import { pageForm, parsePageForm } from '../http/forms.js';
import { translate } from '../render.js';
import { InvitationRefused, type RedemptionService } from './redemption.js';
import { refusalStatus } from './pages.js';

const decideForm = pageForm({ decision: z.enum(['accept', 'decline']) });
const Id = z.uuid();

export function pendingInvitationsSection(
  redemption: RedemptionService,
  locale: (ctx: Context) => string,
): AccountSection {
  return {
    template: 'partials/account/invitations.njk',
    load: (accountId) => redemption.pendingFor(accountId).then((page) => ({ ...page })),
    routes(router, page) {
      router.post('/account/invitations/:id', async (ctx) => {
        const { decision } = parsePageForm(decideForm, ctx.request.body);
        const id = Id.safeParse(ctx.params.id);
        const act = async (accountId: string) => {
          // Only invitations the section lists (waiting for this account) can be decided here.
          if (!id.success || !(await redemption.isPendingFor(accountId, id.data)))
            throw new BadRequest('That invitation is not waiting for you.', 'invitation_mismatch');
          try {
            const ref = { id: id.data };
            await (decision === 'accept' ? redemption.accept(ref, accountId) : redemption.decline(ref, accountId));
          } catch (error) {
            if (!(error instanceof InvitationRefused)) throw error;
            const body = translate(locale(ctx), `invitation.problem.${error.problem}.body`);
            throw new AppError(refusalStatus(error.problem), `invitation_${error.problem}`, body);
          }
        };
        return page.change(ctx, act, decision === 'accept' ? 'invitation_joined' : 'invitation_declined');
      });
    },
  };
}
