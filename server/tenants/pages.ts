// The tenant admin page: members and their roles, the role catalogue. Same services and rules as the
// Management API; the signed-in browser session stands in for a token with tenants:admin.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError, Forbidden } from '../errors.js';
import { listOf, optionalText, pageForm, searchText } from '../http/forms.js';
import { FIRST_FACTORS } from './sign-in-policy.js';
import type { SignedInBrowser } from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import { type Caller, TENANT_ADMIN } from './access.js';
import { memberRows, type NamesOf } from './member-rows.js';
import type { MembershipService } from './memberships.js';
import { RoleName, Uuid } from './schemas.js';
import type { TenantService } from './service.js';

/** What a section of the admin page may do: check the admin, run a change, show the page. */
export interface ManagePage {
  admin(ctx: Context): Promise<Caller | undefined>;
  change(ctx: Context, act: (caller: Caller) => Promise<unknown>, notice: string): Promise<void>;
  show(ctx: Context, caller: Caller, extra?: Record<string, unknown>, status?: number): Promise<void>;
}

/** What the page's address may say: a search, a page of members and of invitations, a notice. */
export const ManageQuery = z.object({
  search: searchText,
  members: z.string().max(1200).optional(),
  invitations: z.string().max(600).optional(),
  done: z
    .string()
    .regex(/^[a-z_]{1,40}$/)
    .optional()
    .catch(undefined),
});
export type ManageQuery = z.output<typeof ManageQuery>;

/** A part of the admin page contributed by another feature (invitations): its data and its forms. */
export interface ManageSection {
  load(caller: Caller, tenantId: string, query: ManageQuery): Promise<Record<string, unknown>>;
  routes(router: Router, page: ManagePage): void;
}

export interface TenantPageDeps {
  tenants: TenantService;
  memberships: MembershipService;
  page: PageRenderer;
  browser: SignedInBrowser;
  /** How the admin page names who granted a membership. */
  namesOf: NamesOf;
  sections?: ManageSection[];
}

/** Rows per page of members and of invitations. */
export const MANAGE_PAGE_SIZE = 50;
const rolesForm = pageForm({ roles: listOf(RoleName).pipe(z.array(RoleName).max(50)) });
const newRole = pageForm({ name: RoleName, description: optionalText(z.string().trim().max(300)) });
const removeRole = pageForm({ force: z.literal('yes').optional() });
const noFields = pageForm({});
/** The day the member's access ends (at 00:00 UTC); empty: it does not end. */
const accessForm = pageForm({ ends_on: optionalText(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date')) });
/** No first factor ticked means no limit (every way of signing in is allowed). */
const policyForm = pageForm({ require_mfa: z.literal('yes').optional(), first_factors: listOf(z.enum(FIRST_FACTORS)) });
const invitationPolicyForm = pageForm({ multi_use_roles: listOf(RoleName), approval_roles: listOf(RoleName) });

export function tenantPageRoutes({
  tenants,
  memberships,
  page,
  browser,
  namesOf,
  sections = [],
}: TenantPageDeps): Router {
  const router = new Router({ prefix: '/tenants/:tenantId/manage' });
  const home = (tenantId: string) => `/tenants/${tenantId}/manage`;

  /** The signed-in admin as a caller, or a redirect to sign in (undefined). */
  async function admin(ctx: Context): Promise<Caller | undefined> {
    if (!Uuid.safeParse(ctx.params.tenantId).success)
      throw new AppError(404, 'tenant_not_found', 'There is no such tenant.');
    const accountId = await browser.accountId(ctx);
    if (!accountId) {
      ctx.redirect(browser.signInUrl(ctx, ctx.method === 'GET' ? ctx.originalUrl : home(ctx.params.tenantId!)));
      return undefined;
    }
    const caller: Caller = { kind: 'user', accountId, scopes: new Set(['tenants:admin']) };
    if ((await tenants.levelOf(caller, ctx.params.tenantId!)) === 'member')
      throw new Forbidden('Only a tenant-admin of this tenant may manage it.');
    return caller;
  }

  async function show(ctx: Context, caller: Caller, extra: Record<string, unknown> = {}, status = 200): Promise<void> {
    const tenantId = ctx.params.tenantId!;
    const query = ManageQuery.parse(ctx.query);
    const [tenant, roles, signInPolicy, invitationPolicy, members, ...parts] = await Promise.all([
      tenants.get(caller, tenantId),
      tenants.listRoles(caller, tenantId),
      tenants.signInPolicy(caller, tenantId),
      tenants.invitationPolicy(caller, tenantId),
      memberships.list(caller, tenantId, {
        limit: MANAGE_PAGE_SIZE,
        search: query.search,
        cursor: query.members,
        order: 'name',
      }),
      ...sections.map((s) => s.load(caller, tenantId, query)),
    ]);
    /** The page's address with one list moved to another page, keeping the search and the other list's page. */
    const pageHref = (list: 'members' | 'invitations', cursor: string) => {
      const params = new URLSearchParams();
      for (const name of ['search', 'members', 'invitations'] as const) if (query[name]) params.set(name, query[name]);
      params.set(list, cursor);
      return `${home(tenantId)}?${params}`;
    };
    page.render(
      ctx,
      'pages/tenant-manage.njk',
      {
        tenant,
        roles,
        signInPolicy,
        // null means every role but tenant-admin: the form shows those ticked.
        multiUseRoles: invitationPolicy.multi_use_roles ?? roles.map((r) => r.name).filter((r) => r !== TENANT_ADMIN),
        approvalRoles: invitationPolicy.approval_roles,
        firstFactors: FIRST_FACTORS,
        members: await memberRows(namesOf, members.items),
        membersNext: members.next_cursor,
        membersPrevious: members.previous_cursor,
        search: query.search,
        notice: query.done,
        pageHref,
        ...Object.assign({}, ...parts),
        ...extra,
      },
      status,
    );
  }

  /** Runs a change; a rule it breaks (last admin, role in use…) is shown on the page, not as an error page. */
  async function change(ctx: Context, act: (caller: Caller) => Promise<unknown>, notice: string): Promise<void> {
    const caller = await admin(ctx);
    if (!caller) return;
    try {
      await act(caller);
    } catch (error) {
      if (error instanceof AppError && error.status >= 400 && error.status < 500 && error.status !== 404) {
        return show(ctx, caller, { error: error.description }, error.status);
      }
      throw error;
    }
    ctx.status = 303;
    ctx.redirect(`${home(ctx.params.tenantId!)}?done=${notice}`);
  }

  router.get('/', async (ctx) => {
    const caller = await admin(ctx);
    if (caller) await show(ctx, caller);
  });

  router.post('/members/:membershipId/roles', (ctx) =>
    change(
      ctx,
      (caller) => {
        const form = rolesForm.parse(ctx.request.body ?? {});
        return memberships.setRoles(caller, ctx.params.tenantId!, Uuid.parse(ctx.params.membershipId), form.roles);
      },
      'roles_saved',
    ),
  );

  router.post('/members/:membershipId/access', (ctx) =>
    change(
      ctx,
      (caller) => {
        const form = accessForm.parse(ctx.request.body ?? {});
        const end = form.ends_on ? new Date(`${form.ends_on}T00:00:00Z`) : null;
        return memberships.setAccessEnd(caller, ctx.params.tenantId!, Uuid.parse(ctx.params.membershipId), end);
      },
      'access_saved',
    ),
  );

  router.post('/members/:membershipId/remove', (ctx) =>
    change(
      ctx,
      (caller) => {
        noFields.parse(ctx.request.body ?? {});
        return memberships.remove(caller, ctx.params.tenantId!, Uuid.parse(ctx.params.membershipId));
      },
      'member_removed',
    ),
  );

  router.post('/roles', (ctx) =>
    change(
      ctx,
      (caller) => {
        const form = newRole.parse(ctx.request.body ?? {});
        return tenants.createRole(caller, ctx.params.tenantId!, { name: form.name, description: form.description });
      },
      'role_added',
    ),
  );

  router.post('/roles/:role/remove', (ctx) =>
    change(
      ctx,
      (caller) => {
        const form = removeRole.parse(ctx.request.body ?? {});
        return tenants.deleteRole(caller, ctx.params.tenantId!, RoleName.parse(ctx.params.role), form.force === 'yes');
      },
      'role_removed',
    ),
  );

  router.post('/sign-in-policy', (ctx) =>
    change(
      ctx,
      (caller) => {
        const form = policyForm.parse(ctx.request.body ?? {});
        return tenants.setSignInPolicy(caller, ctx.params.tenantId!, {
          require_mfa: form.require_mfa === 'yes',
          allowed_first_factors: form.first_factors.length ? [...new Set(form.first_factors)] : null,
        });
      },
      'sign_in_policy',
    ),
  );

  router.post('/invitation-policy', (ctx) =>
    change(
      ctx,
      async (caller) => {
        const form = invitationPolicyForm.parse(ctx.request.body ?? {});
        const tenantId = ctx.params.tenantId!;
        const multiUse = [...new Set(form.multi_use_roles)];
        const byDefault = (await tenants.listRoles(caller, tenantId)).filter((r) => r.name !== TENANT_ADMIN);
        // Exactly the default set is stored as the default, so roles added later may be granted by a shared link.
        const isDefault = byDefault.length === multiUse.length && byDefault.every((r) => multiUse.includes(r.name));
        return tenants.setInvitationPolicy(caller, tenantId, {
          multi_use_roles: isDefault ? null : multiUse,
          approval_roles: [...new Set(form.approval_roles)],
        });
      },
      'invitation_policy',
    ),
  );

  for (const section of sections) section.routes(router, { admin, change, show });
  return router;
}
