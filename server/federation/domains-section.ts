// The domains part of the tenant admin page: claim a domain, see the DNS record that verifies it, verify,
// set its join policy, remove it; and the pending requests to join, each approved or declined here.
import type Router from '@koa/router';
import { z } from 'zod';
import { AppError, Unprocessable } from '../errors.js';
import { pageForm } from '../http/forms.js';
import { MANAGE_PAGE_SIZE, type ManageSection } from '../tenants/pages.js';
import { Uuid } from '../tenants/schemas.js';
import { type DomainService, JOIN_POLICIES } from './domains.js';
import type { JoinRequestService } from './domains-requests.js';

const addForm = pageForm({ domain: z.string().max(300), join_policy: z.enum(JOIN_POLICIES) });
const policyForm = pageForm({ join_policy: z.enum(JOIN_POLICIES) });
const noFields = pageForm({});

export function domainSection(domains: DomainService, requests: JoinRequestService): ManageSection {
  return {
    async load(caller, tenantId) {
      const [list, pending] = await Promise.all([
        domains.list(caller, tenantId),
        requests.list(caller, tenantId, { status: 'pending', limit: MANAGE_PAGE_SIZE }),
      ]);
      return {
        domains: list,
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
            await domains.setPolicy(caller, tenantOf(ctx.params), Uuid.parse(ctx.params.domainId), form.join_policy);
          },
          'domain_policy_saved',
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
