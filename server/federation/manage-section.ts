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
import { CreateConnection, Membership } from './schemas.js';

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
const membershipForm = pageForm({
  jit: z.literal('yes').optional(),
  default_roles: z.string().max(2000),
  group_roles: z.string().max(20_000),
});

/**
 * The admin page's mapping as typed: default roles comma-separated, and one `group = role, role` a line.
 * Off (no `jit`): the connection grants no membership.
 */
function membershipOfForm(form: z.output<typeof membershipForm>): Membership | null {
  if (!form.jit) return null;
  const roles = (text: string) =>
    text
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
  const lines = form.group_roles.split(/\r?\n/).filter((line) => line.trim());
  const pairs = lines.map((line) => {
    const at = line.lastIndexOf('=');
    if (at < 1)
      throw new BadRequest(`Write each group as "group = role, role": ${line.trim().slice(0, 100)}`, 'invalid_form');
    return [line.slice(0, at).trim(), roles(line.slice(at + 1))] as const;
  });
  const parsed = Membership.safeParse({
    default_roles: roles(form.default_roles),
    group_roles: Object.fromEntries(pairs),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequest(`${issue?.path.join(' ') || 'mapping'}: ${issue?.message}`, 'invalid_form');
  }
  return parsed.data;
}

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

      router.post('/connections/:connectionId/membership', (ctx) =>
        manage.change(
          ctx,
          (caller) => {
            const form = membershipForm.safeParse(ctx.request.body ?? {});
            if (!form.success) throw new BadRequest('This form is not one the page sent.', 'invalid_form');
            return connections.update(
              { kind: 'tenant', caller, tenantId: ctx.params.tenantId! },
              Uuid.parse(ctx.params.connectionId),
              { membership: membershipOfForm(form.data) },
            );
          },
          'connection_membership_saved',
        ),
      );

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
