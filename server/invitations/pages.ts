// The direct invitation link. GET and HEAD never change anything (mail scanners pre-fetch links):
// the token is verified, kept in a cookie keyed by the invitation id, and the URL loses it. Deciding
// happens in the sign-in flow's invitation prompt, on a POST; then the browser comes back here.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountService } from '../accounts/service.js';
import type { PageRenderer } from '../page.js';
import { type AddressProof, maskEmail } from './address-proof.js';
import { addressProofRoutes } from './address-pages.js';
import { type InvitationDetails, InvitationRefused, type Problem, type RedemptionService } from './redemption.js';

/** Supplied by the OIDC layer: who is signed in, and the way through sign-in (with the invitation) and back. */
export interface InvitationBrowser {
  accountId(ctx: Context): Promise<string | undefined>;
  signInUrl(ctx: Context, returnTo: string, options: { again?: boolean; params?: Record<string, string> }): string;
}

export interface InvitationPageDeps {
  redemption: RedemptionService;
  accounts: AccountService;
  page: PageRenderer;
  browser: InvitationBrowser;
  /** "This is my address": prove an e-mail-bound invitation's address while signed in as another account. */
  proof?: AddressProof;
}

/** The HTTP status of each refusal's page, here and inside the sign-in. */
export const refusalStatus = (problem: Problem): number =>
  ({
    malformed: 400,
    invalid: 400,
    not_found: 404,
    wrong_account: 403,
    tenant_gone: 410,
    expired: 410,
    revoked: 410,
    replaced: 410,
    declined: 410,
    used_up: 410,
    roles_gone: 409,
  })[problem];

const cookieName = (id: string) => `tessera.inv.${id}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function invitationPageRoutes({ redemption, accounts, page, browser, proof }: InvitationPageDeps): Router {
  const router = new Router();

  const problem = (ctx: Context, error: InvitationRefused) =>
    page.render(ctx, 'pages/invitation-problem.njk', { problem: error.problem }, refusalStatus(error.problem));

  /** Verifies the token, keeps it for this invitation only, and moves on to a URL without it. */
  async function keep(ctx: Context, token: string): Promise<void> {
    try {
      const invitation = await redemption.open(token);
      const maxAge = Math.max(0, invitation.expiresAt.getTime() - Date.now());
      ctx.cookies.set(cookieName(invitation.id), token, {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        maxAge,
        path: `/invitations/${invitation.id}`,
      });
      ctx.set('Cache-Control', 'no-store');
      ctx.status = 303;
      ctx.redirect(`/invitations/${invitation.id}`);
    } catch (error) {
      if (error instanceof InvitationRefused) return problem(ctx, error);
      throw error;
    }
  }

  router.get('/tenants/invitation-tokens/:token', (ctx) => keep(ctx, ctx.params.token!));

  router.get('/i/:handle', async (ctx) => {
    try {
      await keep(ctx, await redemption.tokenForHandle(ctx.params.handle!));
    } catch (error) {
      if (error instanceof InvitationRefused) return problem(ctx, error);
      throw error;
    }
  });

  router.get('/invitations/:id', async (ctx) => {
    const id = ctx.params.id!;
    const token = UUID.test(id) ? ctx.cookies.get(cookieName(id), { signed: true }) : undefined;
    if (!token) return page.render(ctx, 'pages/invitation-problem.njk', { problem: 'missing' }, 400);
    const accountId = await browser.accountId(ctx);
    const account = accountId ? await accounts.findById(accountId) : null;
    // login_hint: the bound e-mail, else the bound number (the phone sign-in page offers it).
    const flow = (options: { switchAccount?: boolean; register?: boolean; hint?: string | null } = {}) =>
      browser.signInUrl(ctx, `/invitations/${id}/done`, {
        again: options.switchAccount,
        params: {
          invitation: token,
          ...(options.hint ? { login_hint: options.hint } : {}),
          ...(options.register ? { screen: 'register' } : {}),
        },
      });
    let invitation: InvitationDetails;
    try {
      invitation = await redemption.open(token, accountId);
    } catch (error) {
      if (!(error instanceof InvitationRefused)) throw error;
      // Signed in as someone the invitation is not for: say who, and offer to switch.
      const provable =
        error.problem === 'wrong_account' &&
        account &&
        (await proof?.provable(token, account.id).catch(() => undefined));
      const extra =
        error.problem === 'wrong_account' && account
          ? {
              who: account.email ?? account.name,
              switchUrl: flow({ switchAccount: true }),
              ...(provable ? { proveAction: `/invitations/${id}/address`, masked: maskEmail(provable.email) } : {}),
            }
          : {};
      return page.render(
        ctx,
        'pages/invitation-problem.njk',
        { problem: error.problem, ...extra },
        refusalStatus(error.problem),
      );
    }
    // Before sign-in only the tenant's name is shown; roles and inviter once someone is signed in.
    return page.render(
      ctx,
      'pages/invitation-landing.njk',
      account
        ? {
            invitation,
            who: account.email ?? account.name,
            continueUrl: flow(),
            switchUrl: flow({ switchAccount: true, hint: invitation.email ?? invitation.phone }),
          }
        : {
            invitation: { tenantName: invitation.tenantName },
            signInUrl: flow({ hint: invitation.email ?? invitation.phone }),
            // Bound to a number only: the sign-in page, whose phone option signs up a new number too.
            registerUrl: flow({
              register: !invitation.phone || Boolean(invitation.email),
              hint: invitation.email ?? invitation.phone,
            }),
          },
    );
  });

  router.get('/invitations/:id/done', async (ctx) => {
    const id = ctx.params.id!;
    const accountId = await browser.accountId(ctx);
    const decided = accountId && UUID.test(id) ? await redemption.decisionOf(id, accountId) : undefined;
    if (!decided) return page.render(ctx, 'pages/invitation-done.njk', { decision: 'skipped' });
    ctx.cookies.set(cookieName(id), null, { path: `/invitations/${id}` });
    const destination = decided.decision === 'accepted' ? await redemption.destinationFor(id) : undefined;
    if (destination) {
      ctx.status = 303;
      ctx.redirect(destination);
      return;
    }
    page.render(ctx, 'pages/invitation-done.njk', {
      decision: decided.decision === 'accepted' ? 'joined' : 'declined',
      tenantName: decided.tenantName,
    });
  });

  const tokenOf = (ctx: Context, id: string) =>
    UUID.test(id) ? ctx.cookies.get(cookieName(id), { signed: true }) : undefined;
  if (proof) addressProofRoutes(router, { proof, page, browser, problem, tokenOf });
  return router;
}
