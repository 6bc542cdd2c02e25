// The invitations part of the tenant admin page: issue a link, see each invitation's status, revoke; approve or
// reject another admin's invitation that awaits approval.
// A link is shown once, in the answer to the POST that created it (never in a URL, never again).
import type Router from '@koa/router';
import { z } from 'zod';
import { AppError, BadRequest } from '../errors.js';
import { listOf, pageForm } from '../http/forms.js';
import type { Context } from 'koa';
import type { Caller } from '../tenants/access.js';
import { MANAGE_PAGE_SIZE, type ManagePage, type ManageSection } from '../tenants/pages.js';
import { RoleName, Uuid } from '../tenants/schemas.js';
import { DAY } from './schemas.js';
import type { InvitationService } from './service.js';

// Messages are catalogue keys: the page shows them in the person's language.
const issueForm = pageForm({
  roles: listOf(z.string()).pipe(
    z.array(RoleName, { error: 'manage.error.roles' }).min(1, 'manage.error.roles').max(20, 'manage.error.roles'),
  ),
  days: z.coerce
    .number({ error: 'manage.error.days' })
    .int('manage.error.days')
    .min(1, 'manage.error.days')
    .max(30, 'manage.error.days'),
  uses: z.coerce
    .number({ error: 'manage.error.uses' })
    .int('manage.error.uses')
    .min(1, 'manage.error.uses')
    .max(1000, 'manage.error.uses'),
  email: z.union([z.literal(''), z.email().max(320)], { error: 'manage.error.email' }).default(''),
  // Empty: the access it gives does not end.
  access_days: z
    .union([
      z.literal(''),
      z.coerce
        .number()
        .int('manage.error.access_days')
        .min(1, 'manage.error.access_days')
        .max(1825, 'manage.error.access_days'),
    ])
    .default(''),
});
const noFields = pageForm({});

/** Shows the page with what `act` returns; a rule it breaks is shown in the invitations section instead. */
async function showingRefusal(
  manage: ManagePage,
  ctx: Context,
  caller: Caller,
  act: () => Promise<Record<string, unknown>>,
): Promise<void> {
  let shown: Record<string, unknown>;
  try {
    shown = await act();
  } catch (error) {
    if (error instanceof AppError && error.status < 500 && error.status !== 404)
      return manage.show(ctx, caller, { invitationError: error.description }, error.status);
    throw error;
  }
  return manage.show(ctx, caller, shown);
}

export function invitationSection(invitations: InvitationService): ManageSection {
  return {
    async load(caller, tenantId, query) {
      const page = await invitations.list(caller, tenantId, {
        limit: MANAGE_PAGE_SIZE,
        cursor: query.invitations,
        order: 'newest',
      });
      return {
        invitations: page.items,
        invitationsNext: page.next_cursor,
        invitationsPrevious: page.previous_cursor,
        // The creator of an awaiting invitation sees no Approve button: approving one's own is refused.
        viewerId: caller.kind === 'user' ? caller.accountId : undefined,
      };
    },

    routes(router: Router, manage) {
      router.post('/invitations', async (ctx) => {
        const caller = await manage.admin(ctx);
        if (!caller) return;
        const form = issueForm.safeParse(ctx.request.body ?? {});
        if (!form.success) {
          const message = form.error.issues[0]?.message;
          // A typing mistake is shown on the form; a field the page does not have (or a shape it never sends) is refused whole.
          if (!message?.startsWith('manage.error.'))
            throw new BadRequest('This form is not one the page sent.', 'invalid_form');
          return manage.show(ctx, caller, { invitationError: message }, 400);
        }
        await showingRefusal(manage, ctx, caller, async () => {
          const issued = await invitations.create(caller, ctx.params.tenantId!, {
            roles: form.data.roles,
            expiresIn: form.data.days * DAY,
            maxUses: form.data.uses,
            ...(form.data.access_days ? { accessExpiresIn: form.data.access_days * DAY } : {}),
            // With an address Tessera mails the link (and nobody else sees it); without one, the admin copies it.
            ...(form.data.email ? { email: form.data.email, deliver: 'email' as const } : { deliver: 'none' as const }),
          });
          if (issued.status === 'awaiting_approval') return { issuedAwaiting: true };
          return { issuedLink: issued.url, issuedTo: form.data.email || undefined };
        });
      });

      // Answers with the page, not a redirect: for deliver=none the link is shown here, once.
      router.post('/invitations/:invitationId/approve', async (ctx) => {
        const caller = await manage.admin(ctx);
        if (!caller) return;
        noFields.parse(ctx.request.body ?? {});
        await showingRefusal(manage, ctx, caller, async () => {
          const approved = await invitations.approve(caller, ctx.params.tenantId!, Uuid.parse(ctx.params.invitationId));
          return { issuedLink: approved.url, issuedApproved: !approved.url };
        });
      });

      router.post('/invitations/:invitationId/reject', (ctx) =>
        manage.change(
          ctx,
          (caller) => {
            noFields.parse(ctx.request.body ?? {});
            return invitations.reject(caller, ctx.params.tenantId!, Uuid.parse(ctx.params.invitationId));
          },
          'invitation_rejected',
        ),
      );

      router.post('/invitations/:invitationId/revoke', (ctx) =>
        manage.change(
          ctx,
          (caller) => {
            noFields.parse(ctx.request.body ?? {});
            return invitations.revoke(caller, ctx.params.tenantId!, Uuid.parse(ctx.params.invitationId));
          },
          'invitation_revoked',
        ),
      );
    },
  };
}
