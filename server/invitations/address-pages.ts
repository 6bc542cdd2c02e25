// The "this is my address" steps, on the invitation's own page and inside the sign-in's invitation prompt:
// POST sends a code to the invited address, POST with the code proves it; then back to the invitation,
// which now lets this account join. Nothing here touches the invitation's redemption.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { pageForm, parsePageForm } from '../http/forms.js';
import type { Interaction, InteractionKit } from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import { type AddressProof, maskEmail } from './address-proof.js';
import type { InvitationBrowser } from './pages.js';
import { InvitationRefused } from './redemption.js';

interface Deps {
  proof: AddressProof;
  page: PageRenderer;
  browser: InvitationBrowser;
  problem: (ctx: Context, error: InvitationRefused) => void;
  /** The invitation's token the landing kept for this browser, if any. */
  tokenOf: (ctx: Context, id: string) => string | undefined;
}

const sendForm = pageForm({});
const codeForm = pageForm({ code: z.string().max(40) });

export function addressProofRoutes(router: Router, { proof, page, browser, problem, tokenOf }: Deps): void {
  /** The invitation's token and the signed-in account, or undefined after sending the browser back to the invitation. */
  async function context(ctx: Context): Promise<{ id: string; token: string; accountId: string } | undefined> {
    const id = ctx.params.id!;
    const token = tokenOf(ctx, id);
    const accountId = token ? await browser.accountId(ctx) : undefined;
    if (token && accountId) return { id, token, accountId };
    ctx.status = 303;
    ctx.redirect(token ? `/invitations/${id}` : '/');
    return undefined;
  }

  const codePage = (ctx: Context, id: string, masked: string, error?: string) =>
    page.render(
      ctx,
      'pages/invitation-address.njk',
      { action: `/invitations/${id}/address/confirm`, resend: `/invitations/${id}/address`, masked, error },
      error ? 400 : 200,
    );

  /** Runs a step; a refused invitation (expired, revoked meanwhile…) gets its page, like the landing. */
  const step = (act: (ctx: Context) => Promise<void>) => async (ctx: Context) => {
    try {
      await act(ctx);
    } catch (error) {
      if (error instanceof InvitationRefused) return problem(ctx, error);
      throw error;
    }
  };

  router.post(
    '/invitations/:id/address',
    step(async (ctx) => {
      parsePageForm(sendForm, ctx.request.body);
      const here = await context(ctx);
      if (!here) return;
      const masked = await proof.send(here.token, here.accountId, ctx.ip, page.locale(ctx));
      codePage(ctx, here.id, masked);
    }),
  );

  router.post(
    '/invitations/:id/address/confirm',
    step(async (ctx) => {
      const { code } = parsePageForm(codeForm, ctx.request.body);
      const here = await context(ctx);
      if (!here) return;
      const result = await proof.confirm(here.token, here.accountId, code, ctx.ip);
      if (!result.ok) {
        const invitation = await proof.provable(here.token, here.accountId);
        return codePage(
          ctx,
          here.id,
          invitation ? maskEmail(invitation.email) : '…',
          `invitation.address.${result.reason}`,
        );
      }
      ctx.status = 303;
      ctx.redirect(`/invitations/${here.id}`);
    }),
  );
}

interface InteractionDeps {
  proof: AddressProof;
  page: PageRenderer;
  signedIn: (interaction: Interaction) => Promise<{ accountId: string }>;
  tokenOf: (interaction: Interaction) => string;
  problem: (ctx: Context, interaction: Interaction, error: InvitationRefused) => Promise<void>;
}

/**
 * The same steps inside the sign-in (an app's `invitation=`, or the link's sign-in): `offer` is what the
 * wrong-account page adds, and a right code goes back to the invitation prompt, now with Join.
 */
export function addressProofInteractions(
  router: Router,
  kit: InteractionKit,
  { proof, page, signedIn, tokenOf, problem }: InteractionDeps,
) {
  const codePage = async (ctx: Context, interaction: Interaction, masked: string, error?: string) =>
    page.render(
      ctx,
      'pages/invitation-address.njk',
      {
        ...(await kit.common(interaction)),
        action: `/interaction/${interaction.uid}/invitation/address/confirm`,
        resend: `/interaction/${interaction.uid}/invitation/address`,
        masked,
        error,
      },
      error ? 400 : 200,
    );

  /** Runs a step; a refused invitation (expired, used up meanwhile…) gets the prompt's problem page. */
  const step =
    (act: (ctx: Context, interaction: Interaction, accountId: string) => Promise<void>) => async (ctx: Context) => {
      const interaction = await kit.details(ctx);
      const { accountId } = await signedIn(interaction);
      try {
        await act(ctx, interaction, accountId);
      } catch (error) {
        if (error instanceof InvitationRefused) return problem(ctx, interaction, error);
        throw error;
      }
    };

  router.post(
    '/invitation/address',
    step(async (ctx, interaction, accountId) => {
      parsePageForm(sendForm, ctx.request.body);
      const masked = await proof.send(tokenOf(interaction), accountId, ctx.ip, page.locale(ctx));
      return codePage(ctx, interaction, masked);
    }),
  );
  router.post(
    '/invitation/address/confirm',
    step(async (ctx, interaction, accountId) => {
      const { code } = parsePageForm(codeForm, ctx.request.body);
      const token = tokenOf(interaction);
      const result = await proof.confirm(token, accountId, code, ctx.ip);
      if (result.ok) {
        // Back to the prompt (a GET), which now shows the invitation with Join.
        ctx.status = 303;
        return ctx.redirect(`/interaction/${interaction.uid}`);
      }
      const invitation = await proof.provable(token, accountId);
      return codePage(
        ctx,
        interaction,
        invitation ? maskEmail(invitation.email) : '…',
        `invitation.address.${result.reason}`,
      );
    }),
  );

  return {
    async offer(interaction: Interaction) {
      const { accountId } = await signedIn(interaction);
      const invitation = await proof.provable(tokenOf(interaction), accountId).catch(() => undefined);
      return invitation
        ? { proveAction: `/interaction/${interaction.uid}/invitation/address`, masked: maskEmail(invitation.email) }
        : {};
    },
  };
}
