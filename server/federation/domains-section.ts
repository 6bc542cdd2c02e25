// The domains part of the tenant admin page: claim a domain, see the DNS record that verifies it, verify,
// set its join policy and how its people sign in (the tenant's connection, password or not), remove it; and the pending requests to join, each approved or declined here.
import type Router from '@koa/router';
import { z } from 'zod';
import { AppError, Unprocessable } from '../errors.js';
import { pageForm } from '../http/forms.js';
import { MANAGE_PAGE_SIZE, type ManageSection } from '../tenants/pages.js';
import { Uuid } from '../tenants/schemas.js';
import type { ConnectionService } from './connections.js';
import { type DomainService, JOIN_POLICIES } from './domains.js';
import type { JoinRequestService } from './domains-requests.js';

const addForm = pageForm({ domain: z.string().max(300), join_policy: z.enum(JOIN_POLICIES) });
const policyForm = pageForm({ join_policy: z.enum(JOIN_POLICIES) });
const noFields = pageForm({});
/** "" is "no connection" (the select's first option); password: allowed or off. */
const signInForm = pageForm({
  sso_connection_id: z.union([z.literal(''), Uuid]),
  password: z.enum(['allowed', 'off']),
});

export function domainSection(
  domains: DomainService,
  requests: JoinRequestService,
  connections: ConnectionService,
): ManageSection {
  return {
    async load(caller, tenantId) {
      const [list, pending, own] = await Promise.all([
        domains.list(caller, tenantId),
        requests.list(caller, tenantId, { status: 'pending', limit: MANAGE_PAGE_SIZE }),
        connections.list({ kind: 'tenant', caller, tenantId }),
      ]);
      return {
        domains: list,
        // The connections a domain may route to: the tenant's own, enabled.
        ssoConnections: own.filter((c) => !c.disabled).map((c) => ({ id: c.id, name: c.name })),
        joinPolicies: JOIN_POLICIES,
        joinRequests: pending.items,
        moreJoinRequests: pending.next_cursor !== null,
      };
    },

    routes(router: Router, manage) {
      const tenantOf = (params: Record<string, string | undefined>) => params.tenantId!;

      router.post('/domains', (ctx) =>
        manage.change(
          ctx,
          async (caller) => {
            const form = addForm.parse(ctx.request.body ?? {});
            await domains.claim(caller, tenantOf(ctx.params), { domain: form.domain, joinPolicy: form.join_policy });
          },
          'domain_added',
        ),
      );

      router.post('/domains/:domainId/verify', (ctx) =>
        manage.change(
          ctx,
          async (caller) => {
            noFields.parse(ctx.request.body ?? {});
            try {
              await domains.verify(caller, tenantOf(ctx.params), Uuid.parse(ctx.params.domainId));
            } catch (error) {
              // DNS that does not answer is shown on the page with the rest, not as an error page.
              if (error instanceof AppError && error.status === 503)
                throw new Unprocessable(error.description, error.code);
              throw error;
            }
          },
          'domain_verified',
        ),
      );

      router.post('/domains/:domainId/policy', (ctx) =>
        manage.change(
          ctx,
          async (caller) => {
            const form = policyForm.parse(ctx.request.body ?? {});
            await domains.update(caller, tenantOf(ctx.params), Uuid.parse(ctx.params.domainId), {
              joinPolicy: form.join_policy,
            });
          },
          'domain_policy_saved',
        ),
      );

      router.post('/domains/:domainId/sign-in', (ctx) =>
        manage.change(
          ctx,
          async (caller) => {
            const form = signInForm.parse(ctx.request.body ?? {});
            await domains.update(caller, tenantOf(ctx.params), Uuid.parse(ctx.params.domainId), {
              ssoConnectionId: form.sso_connection_id || null,
              passwordSignIn: form.password === 'allowed',
            });
          },
          'domain_sign_in_saved',
        ),
      );

      router.post('/domains/:domainId/remove', (ctx) =>
        manage.change(
          ctx,
          (caller) => {
            noFields.parse(ctx.request.body ?? {});
            return domains.remove(caller, tenantOf(ctx.params), Uuid.parse(ctx.params.domainId));
          },
          'domain_removed',
        ),
      );

      for (const [action, notice] of [
        ['approve', 'join_approved'],
        ['deny', 'join_denied'],
      ] as const) {
        router.post(`/join-requests/:requestId/${action}`, (ctx) =>
          manage.change(
            ctx,
            (caller) => {
              noFields.parse(ctx.request.body ?? {});
              const id = Uuid.parse(ctx.params.requestId);
              return action === 'approve'
                ? requests.approve(caller, tenantOf(ctx.params), id)
                : requests.deny(caller, tenantOf(ctx.params), id);
            },
            notice,
          ),
        );
      }
    },
  };
}
