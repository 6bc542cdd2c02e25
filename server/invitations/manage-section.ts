// The invitations part of the tenant admin page: issue a link, see each invitation's status, revoke.
// A link is shown once, in the answer to the POST that created it (never in a URL, never again).
import type Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '../http/errors.js';
import type { ManageSection } from '../tenants/pages.js';
import { RoleName, Uuid } from '../tenants/schemas.js';
import { DAY, type InvitationService } from './service.js';

const asList = (value: unknown) => (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);

const issueForm = z.object({
  roles: z.array(RoleName).min(1, 'choose at least one role').max(20),
  days: z.coerce.number().int().min(1).max(30),
  uses: z.coerce.number().int().min(1).max(1000),
  email: z.union([z.literal(''), z.email().max(320)]),
});

export function invitationSection(invitations: InvitationService): ManageSection {
  return {
    async load(caller, tenantId) {
      const page = await invitations.list(caller, tenantId, { limit: 100 });
      const newestFirst = [...page.items].sort((a, b) => b.created_at.localeCompare(a.created_at));
      return { invitations: newestFirst };
    },

    routes(router: Router, manage) {
      router.post('/invitations', async (ctx) => {
        const caller = await manage.admin(ctx);
        if (!caller) return;
        const body = (ctx.request.body ?? {}) as Record<string, unknown>;
        const form = issueForm.safeParse({ roles: asList(body.roles), days: body.days, uses: body.uses, email: body.email ?? '' });
        if (!form.success) return manage.show(ctx, caller, { invitationError: form.error.issues[0]?.message }, 400);
        try {
          const issued = await invitations.create(caller, ctx.params.tenantId!, {
            roles: form.data.roles, expiresIn: form.data.days * DAY, maxUses: form.data.uses,
            // With an address Tessera mails the link (and nobody else sees it); without one, the admin copies it.
            ...(form.data.email ? { email: form.data.email, deliver: 'email' as const } : { deliver: 'none' as const }),
          });
          return manage.show(ctx, caller, { issuedLink: issued.url, issuedTo: form.data.email || undefined });
        } catch (error) {
          if (error instanceof AppError && error.status < 500 && error.status !== 404) return manage.show(ctx, caller, { invitationError: error.description }, error.status);
          throw error;
        }
      });

      router.post('/invitations/:invitationId/revoke', (ctx) =>
        manage.change(ctx, (caller) => invitations.revoke(caller, ctx.params.tenantId!, Uuid.parse(ctx.params.invitationId)), 'invitation_revoked'));
    },
  };
}
