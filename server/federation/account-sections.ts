// The account page's sections federation contributes: the ways to sign in (linked connections: link
// another through the upstream round trip, unlink while another way remains) and deleting the account
// (its memberships end through tenants/, which refuses while it is a tenant's last admin).
import type { Context } from 'koa';
import { z } from 'zod';
import type { AccountSection } from '../accounts/account-page.js';
import type { AccountService } from '../accounts/service.js';
import { AppError } from '../errors.js';
import { pageForm, parsePageForm } from '../http/forms.js';
import type { PageRenderer } from '../page.js';
import { Slug, Uuid } from '../tenants/schemas.js';
import type { AccountDeletion } from './account-deletion.js';
import type { ConnectionService } from './connections.js';
import type { FederationService } from './sign-ins.js';

const noFields = pageForm({});
const deleteForm = pageForm({ confirm: z.literal('delete').optional() });

export function signInMethodsSection(
  federation: FederationService,
  connections: ConnectionService,
  accounts: AccountService,
): AccountSection {
  return {
    template: 'partials/account/sign-in-methods.njk',
    async load(accountId) {
      const [identities, password, offered] = await Promise.all([
        federation.identitiesOf(accountId),
        accounts.hasPassword(accountId),
        connections.offered([]),
      ]);
      const linked = new Set(identities.map((i) => i.slug));
      return { identities, password, available: offered.filter((c) => !linked.has(c.slug)) };
    },
    routes(router, page) {
      router.post('/account/connections/:slug/link', async (ctx: Context) => {
        parsePageForm(noFields, ctx.request.body);
        const accountId = await page.signedIn(ctx);
        if (!accountId) return;
        const url = await federation.start(Slug.parse(ctx.params.slug), { kind: 'link', accountId });
        ctx.status = 303;
        ctx.redirect(url.href);
      });
      router.post('/account/identities/:identityId/unlink', (ctx: Context) =>
        page.change(
          ctx,
          (accountId) => {
            parsePageForm(noFields, ctx.request.body);
            return federation.unlink(accountId, Uuid.parse(ctx.params.identityId));
          },
          'identity_unlinked',
          { recent: true },
        ),
      );
    },
  };
}

export function deleteAccountSection(deletion: AccountDeletion, renderer: PageRenderer): AccountSection {
  return {
    template: 'partials/account/delete.njk',
    async load(accountId) {
      return { handOver: await deletion.handOverFirst(accountId) };
    },
    routes(router, page) {
      router.post('/account/delete', async (ctx: Context) => {
        const body = parsePageForm(deleteForm, ctx.request.body);
        const accountId = await page.recentlySignedIn(ctx);
        if (!accountId) return;
        if (body.confirm !== 'delete') return page.show(ctx, accountId, { deleteError: true }, 400);
        try {
          await deletion.delete(accountId);
        } catch (error) {
          if (error instanceof AppError && error.status === 409)
            return page.show(ctx, accountId, { error: error.description }, 409);
          throw error;
        }
        renderer.render(ctx, 'pages/account-deleted.njk');
      });
    },
  };
}
