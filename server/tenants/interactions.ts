// The pages of the tenant prompts: choose the active tenant, or create a first tenant (self-service).
import type Router from '@koa/router';
import { BadRequest } from '../errors.js';
import type { InteractionExtension } from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import { chosenInResult, tenantChoice } from './choice.js';
import type { TenantDirectory } from './claims.js';
import { CreateTenantForm, SelectTenantForm } from './forms.js';
import type { TenantService } from './service.js';

interface Deps {
  tenants: TenantDirectory;
  service: TenantService;
  page: PageRenderer;
}

export function tenantInteractions({ tenants, service, page }: Deps): InteractionExtension {
  return (router: Router, kit) => {
    const accountOf = (interaction: { session?: { accountId?: string } }) => {
      const accountId = interaction.session?.accountId;
      if (!accountId) throw new BadRequest('Sign in first.', 'session_not_found');
      return accountId;
    };

    router.post('/select-tenant', async (ctx) => {
      const interaction = await kit.details(ctx);
      const accountId = accountOf(interaction);
      const memberships = await tenants.membershipsOf(accountId);
      const form = SelectTenantForm.safeParse(ctx.request.body ?? {});
      if (form.success && memberships.length === 0) return kit.finish(ctx, { select_tenant: { tenantId: null } });
      const chosen = form.success ? memberships.find((x) => x.tenant_id === form.data.tenant_id) : undefined;
      if (!chosen || !interaction.grantId) {
        return page.render(
          ctx,
          'pages/select-tenant.njk',
          { ...(await kit.common(interaction)), memberships, error: 'select_tenant.error.choose' },
          400,
        );
      }
      return kit.finish(ctx, { select_tenant: { tenantId: chosen.tenant_id }, ...tenantChoice(chosen.tenant_id) });
    });

    router.post('/create-tenant', async (ctx) => {
      const interaction = await kit.details(ctx);
      const accountId = accountOf(interaction);
      const form = CreateTenantForm.safeParse(ctx.request.body ?? {});
      if (!form.success)
        return page.render(
          ctx,
          'pages/create-tenant.njk',
          { ...(await kit.common(interaction)), error: 'create_tenant.error.name' },
          400,
        );
      if ('skip' in form.data) return kit.finish(ctx, { create_tenant: { skipped: true } });
      const tenant = await service.create(
        { kind: 'user', accountId, scopes: new Set(['tenants:admin']) },
        { name: form.data.name },
      );
      return kit.finish(ctx, { create_tenant: { tenantId: tenant.id }, ...tenantChoice(tenant.id) });
    });

    return {
      select_tenant: async (ctx, interaction) => {
        const memberships = await tenants.membershipsOf(accountOf(interaction));
        const current = chosenInResult(interaction.lastSubmission) ?? (await tenants.chosenFor(interaction.grantId));
        return page.render(ctx, 'pages/select-tenant.njk', {
          ...(await kit.common(interaction)),
          memberships,
          current,
        });
      },
      create_tenant: async (ctx, interaction) =>
        page.render(ctx, 'pages/create-tenant.njk', await kit.common(interaction)),
    };
  };
}
