// The connections part of the tenant admin page: the tenant's own OpenID Connect providers, add one,
// disable or enable it. Same service and rules as the Management API; the secret is never shown back.
import type Router from '@koa/router';
import { z } from 'zod';
import { AppError, BadRequest } from '../errors.js';
import { optionalText, pageForm } from '../http/forms.js';
import type { ManageSection } from '../tenants/pages.js';
import { Uuid } from '../tenants/schemas.js';
import type { ConnectionService } from './connections.js';
import { CreateConnection } from './schemas.js';

const addForm = pageForm({
  conn_name: z.string(),
  conn_slug: z.string(),
  conn_issuer: z.string(),
  conn_client_id: z.string(),
  conn_client_secret: optionalText(z.string()),
});
const noFields = pageForm({});

export function connectionSection(connections: ConnectionService): ManageSection {
  return {
    async load(caller, tenantId) {
      return { connections: { items: await connections.list({ kind: 'tenant', caller, tenantId }) } };
    },

    routes(router: Router, manage) {
      router.post('/connections', async (ctx) => {
        const caller = await manage.admin(ctx);
        if (!caller) return;
        const raw = addForm.safeParse(ctx.request.body ?? {});
        if (!raw.success) throw new BadRequest('This form is not one the page sent.', 'invalid_form');
        const input = CreateConnection.safeParse({
          kind: 'oidc',
          name: raw.data.conn_name,
          slug: raw.data.conn_slug.trim(),
          issuer: raw.data.conn_issuer.trim(),
          client_id: raw.data.conn_client_id.trim(),
          client_secret: raw.data.conn_client_secret,
        });
        if (!input.success) {
          const issue = input.error.issues[0];
          return manage.show(
            ctx,
            caller,
            { connectionError: `${issue?.path.join('.') ?? 'form'}: ${issue?.message}` },
            400,
          );
        }
        try {
          await connections.create({ kind: 'tenant', caller, tenantId: ctx.params.tenantId! }, input.data);
        } catch (error) {
          if (error instanceof AppError && error.status < 500 && error.status !== 404)
            return manage.show(ctx, caller, { connectionError: error.description }, error.status);
          throw error;
        }
        ctx.status = 303;
        ctx.redirect(`/tenants/${ctx.params.tenantId}/manage?done=connection_added#connections`);
      });

      for (const [action, disabled] of [
        ['disable', true],
        ['enable', false],
      ] as const)
        router.post(`/connections/:connectionId/${action}`, (ctx) =>
          manage.change(
            ctx,
            (caller) => {
              noFields.parse(ctx.request.body ?? {});
              return connections.update(
                { kind: 'tenant', caller, tenantId: ctx.params.tenantId! },
                Uuid.parse(ctx.params.connectionId),
                { disabled },
              );
            },
            'connection_changed',
          ),
        );
    },
  };
}
