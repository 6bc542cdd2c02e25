// Signing in through a connection inside a sign-in: the buttons on the sign-in page, starting the upstream
// round trip (a POST), picking up what it proved in the interaction's own browser, and the linking page
// for a verified e-mail that an existing account holds (re-authenticate to link, or keep a separate account).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../accounts/passwords.js';
import { OPEN_REGISTRATION, type RegistrationGate } from '../accounts/registration-gate.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { form, parseForm } from '../interaction/forms.js';
import type { Interaction, InteractionExtension, InteractionKit, LoginOptions } from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import { Slug } from '../tenants/schemas.js';
import type { ConnectionService } from './connections.js';
import type { FederationService } from './sign-ins.js';

interface Deps {
  federation: FederationService;
  /** Whether this sign-in may create an account (REGISTRATION): a first sign-in through a global connection does. */
  registration?: RegistrationGate;
  page: PageRenderer;
  limits: { signInPerIp: RateLimiter; signInPerAccount: RateLimiter };
}

const noFields = form({});
const passwordForm = form({ password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });
const slugOf = (ctx: Context) => Slug.parse(ctx.params.slug);

/** The tenants a sign-in is about (the tenant an invitation in it is for), whose own connections it offers. */
export type TenantsOfRequest = (params: Interaction['params']) => Promise<string[]>;

/**
 * The sign-in page's buttons: every enabled global connection, and those of the tenant the request names
 * (`tenant_hint` by id, or what `tenantsOf` finds, e.g. an invitation's tenant).
 */
export function connectionOptions(
  connections: ConnectionService,
  tenantsOf: TenantsOfRequest = async () => [],
): LoginOptions {
  return async (interaction: Interaction) => {
    const hint = interaction.params.tenant_hint;
    const hinted = typeof hint === 'string' && z.uuid().safeParse(hint).success ? [hint] : [];
    const tenantIds = [...new Set([...hinted, ...(await tenantsOf(interaction.params))])];
    return (await connections.offered(tenantIds)).map((c) => ({
      id: `connection-${c.slug}`,
      action: `/interaction/${interaction.uid}/connection/${c.slug}`,
      label: 'login.with_connection',
      labelParams: { name: c.name },
    }));
  };
}

export function federationInteractions({ federation, page, limits, registration }: Deps): InteractionExtension {
  const gate = registration ?? OPEN_REGISTRATION;
  const signUpRule = async (interaction: Interaction) => ({ mayCreateAccount: await gate.allowed(interaction.params) });
  return (router: Router, kit: InteractionKit) => {
    /** The interaction, asking to sign in (a connection signs in; it does nothing at a later prompt). */
    const loginStep = async (ctx: Context) => {
      const interaction = await kit.details(ctx);
      if (interaction.prompt.name !== 'login') {
        ctx.status = 303;
        ctx.redirect(`/interaction/${interaction.uid}`);
        return undefined;
      }
      return interaction;
    };
    const linkPage = async (
      ctx: Context,
      interaction: Interaction,
      extra: Record<string, unknown> = {},
      status = 200,
    ) =>
      page.render(
        ctx,
        'pages/connection-link.njk',
        { ...(await kit.common(interaction)), link: await federation.pendingLink(interaction.uid), ...extra },
        status,
      );

    router.post('/connection/:slug', async (ctx) => {
      parseForm(noFields, ctx.request.body);
      const interaction = await loginStep(ctx);
      if (!interaction) return;
      const url = await federation.start(slugOf(ctx), { kind: 'sign_in', interactionUid: interaction.uid });
      ctx.status = 303;
      ctx.redirect(url.href);
    });

    // Where the upstream callback hands over (the interaction cookie is scoped to this path): it continues
    // that callback's GET, in the browser that started the sign-in, and is spent once.
    router.get('/connection/return', async (ctx) => {
      const interaction = await loginStep(ctx);
      if (!interaction) return;
      const completion = await federation.complete(interaction.uid, await signUpRule(interaction));
      if (completion.kind === 'signed_in') return kit.signIn(ctx, completion.signedIn);
      if (completion.error) return linkPage(ctx, interaction, { error: `link.error.${completion.error}` }, 400);
      ctx.status = 303;
      ctx.redirect(`/interaction/${interaction.uid}/link`);
    });

    router.get('/link', async (ctx) => {
      const interaction = await loginStep(ctx);
      if (interaction) await linkPage(ctx, interaction);
    });

    router.post('/link/password', async (ctx) => {
      const interaction = await loginStep(ctx);
      if (!interaction) return;
      const body = passwordForm.safeParse(ctx.request.body ?? {});
      if (!body.success) return linkPage(ctx, interaction, { error: 'login.error.invalid_credentials' }, 400);
      await limits.signInPerIp.consume(ctx.ip);
      await limits.signInPerAccount.consume(`link:${interaction.uid}`);
      const signedIn = await federation.linkWithPassword(interaction.uid, body.data.password);
      if (!signedIn) return linkPage(ctx, interaction, { error: 'link.error.wrong_password' }, 400);
      return kit.signIn(ctx, signedIn);
    });

    router.post('/link/connection/:slug', async (ctx) => {
      parseForm(noFields, ctx.request.body);
      const interaction = await loginStep(ctx);
      if (!interaction) return;
      const url = await federation.start(slugOf(ctx), { kind: 'reauth', interactionUid: interaction.uid });
      ctx.status = 303;
      ctx.redirect(url.href);
    });

    router.post('/link/separate', async (ctx) => {
      parseForm(noFields, ctx.request.body);
      const interaction = await loginStep(ctx);
      if (!interaction) return;
      return kit.signIn(ctx, await federation.keepSeparate(interaction.uid, await signUpRule(interaction)));
    });

    return {};
  };
}
