// The connections part of the tenant admin page: the tenant's own OpenID Connect or SAML providers, add
// one (a SAML one from its metadata URL), disable or enable it. Same service and rules as the Management API; the secret is never shown back.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError, BadRequest } from '../errors.js';
import { optionalText, pageForm } from '../http/forms.js';
import type { Caller } from '../tenants/access.js';
import type { ManagePage, ManageSection } from '../tenants/pages.js';
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
const samlForm = pageForm({
  saml_name: z.string(),
  saml_slug: z.string(),
  saml_metadata_url: z.string(),
});
const noFields = pageForm({});

export function connectionSection(connections: ConnectionService): ManageSection {
  /** Adds a connection from a form's input; a refusal is shown on the page, with what was wrong. */
  async function add(ctx: Context, manage: ManagePage, caller: Caller, fields: Record<string, unknown>) {
    const input = CreateConnection.safeParse(fields);
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
  }

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
        await add(ctx, manage, caller, {
          kind: 'oidc',
          name: raw.data.conn_name,
          slug: raw.data.conn_slug.trim(),
          issuer: raw.data.conn_issuer.trim(),
          client_id: raw.data.conn_client_id.trim(),
          client_secret: raw.data.conn_client_secret,
        });
      });

      router.post('/connections/saml', async (ctx) => {
        const caller = await manage.admin(ctx);
        if (!caller) return;
        const raw = samlForm.safeParse(ctx.request.body ?? {});
        if (!raw.success) throw new BadRequest('This form is not one the page sent.', 'invalid_form');
        await add(ctx, manage, caller, {
          kind: 'saml',
          name: raw.data.saml_name,
          slug: raw.data.saml_slug.trim(),
          saml: { metadata_url: raw.data.saml_metadata_url.trim() },
        });
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
