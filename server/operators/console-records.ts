// The console's audit trail (filtered by type, actor, tenant and time, paged both ways) and its tenants
// (every tenant, and a new one with a first admin by account id or by an invitation mailed to them).
import { z } from 'zod';
import { pageForm, parsePageForm } from '../http/forms.js';
import { Uuid } from '../tenants/schemas.js';
import type { MembershipView } from '../tenants/memberships.js';
import type { TenantView } from '../tenants/service.js';
import type { AuditView } from './audit.js';
import { CONSOLE, CONSOLE_PAGE_SIZE, type ConsoleArea, refusal } from './console.js';
import { filterText, ListQuery, listHref, namingActors, searchableList, trailOf } from './console-forms.js';

const AUDIT = `${CONSOLE}/audit`;
type MemberPage = { items: MembershipView[]; next_cursor: string | null; previous_cursor?: string | null };
const TENANTS = `${CONSOLE}/tenants`;

/** The filter as the page's address carries it; an empty box is no filter. */
const AuditFilter = z.object({
  type: filterText(80),
  actor: filterText(120),
  tenant_id: filterText(100),
  since: filterText(40),
  until: filterText(40),
  cursor: filterText(1200),
});

const tenantForm = pageForm({
  name: z.string().max(400),
  slug: z.string().max(200).optional(),
  first_admin: z.enum(['none', 'account', 'email']),
  account_id: z.string().max(100).optional(),
  email: z.string().max(400).optional(),
});

export const recordArea: ConsoleArea = (router, console) => {
  const { operator, run, show } = console;
  router.get(AUDIT, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    const { cursor, ...filter } = AuditFilter.parse(ctx.query);
    try {
      const page = await run<{ items: AuditView[]; next_cursor: string | null; previous_cursor: string | null }>(
        'audit.list',
        { query: { ...filter, cursor, limit: String(CONSOLE_PAGE_SIZE) } },
        acting,
      );
      show(ctx, 'audit', 'audit', {
        filter,
        events: await namingActors(console, page.items, acting),
        nextHref: page.next_cursor && listHref(AUDIT, { ...filter, cursor: page.next_cursor }),
        previousHref: page.previous_cursor && listHref(AUDIT, { ...filter, cursor: page.previous_cursor }),
      });
    } catch (error) {
      // A filter the API refuses (a tenant id that is none, a time that is not one) is said on the page.
      if (!(error instanceof z.ZodError)) throw error;
      show(ctx, 'audit', 'audit', { filter, events: [], filterError: true }, 400);
    }
  });

  searchableList(router, console, { path: TENANTS, operation: 'tenants.list', area: 'tenants', key: 'tenants' });

  router.get(`${TENANTS}/:tenantId`, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    const tenantId = Uuid.parse(ctx.params.tenantId);
    const { cursor } = ListQuery.parse(ctx.query);
    const here = `${TENANTS}/${tenantId}`;
    const [tenant, members, trail] = await Promise.all([
      run<TenantView>('tenants.get', { params: { tenantId } }, acting),
      run<MemberPage>(
        'tenants.members',
        { params: { tenantId }, query: { order: 'name', cursor, limit: String(CONSOLE_PAGE_SIZE) } },
        acting,
      ),
      trailOf(console, { tenant_id: tenantId }, acting),
    ]);
    show(ctx, 'tenant', 'tenants', {
      tenant,
      members: members.items,
      nextHref: members.next_cursor && listHref(here, { cursor: members.next_cursor }),
      previousHref: members.previous_cursor && listHref(here, { cursor: members.previous_cursor }),
      trail,
      auditHref: listHref(AUDIT, { tenant_id: tenantId }),
    });
  });

  router.post(TENANTS, async (ctx) => {
    const acting = await operator(ctx);
    if (!acting) return;
    const form = parsePageForm(tenantForm, ctx.request.body);
    const firstAdmin =
      form.first_admin === 'account'
        ? { account_id: form.account_id?.trim() }
        : form.first_admin === 'email'
          ? { email: form.email?.trim() }
          : undefined;
    const body = { name: form.name, ...(form.slug?.trim() ? { slug: form.slug.trim() } : {}), first_admin: firstAdmin };
    try {
      const created = await run<TenantView & { first_admin_invitation_id?: string }>(
        'tenants.create',
        { body },
        acting,
      );
      ctx.status = 303;
      ctx.redirect(
        `${TENANTS}/${created.id}?done=${created.first_admin_invitation_id ? 'tenant_invited' : 'tenant_created'}`,
      );
    } catch (error) {
      const reason = refusal(error);
      const invalid = error instanceof z.ZodError;
      if (!reason && !invalid) throw error;
      const page = await run<{ items: TenantView[]; next_cursor: string | null }>(
        'tenants.list',
        { query: { limit: String(CONSOLE_PAGE_SIZE) } },
        acting,
      );
      show(
        ctx,
        'tenants',
        'tenants',
        { tenants: page.items, form, error: invalid ? undefined : reason?.description, formInvalid: invalid },
        reason?.status ?? 400,
      );
    }
  });
};
