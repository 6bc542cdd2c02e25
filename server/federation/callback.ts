// The upstream provider's redirect back: /connections/:slug/callback. The state is spent and the code
// exchanged here; what it proved is picked up under /interaction/:uid (where the interaction's cookie is
// sent), or, for a link started on the account page, linked to the account still signed in. A failed or
// cancelled upstream sign-in gets a page that says so, and changes nothing.
import Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../errors.js';
import type { SignedInBrowser } from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import { Slug } from '../tenants/schemas.js';
import { type FederationService, type Handoff, UpstreamFailed } from './sign-ins.js';

interface Deps {
  federation: FederationService;
  page: PageRenderer;
  browser: SignedInBrowser;
  issuer: string;
}

/** Where the browser goes once an upstream answered: the interaction's own page, or the account page. */
export const handoffUrl = (handoff: Handoff) =>
  handoff.purpose === 'link'
    ? '/account?done=connection_linked'
    : `/interaction/${handoff.interactionUid}/connection/return`;

/** A failed or refused upstream answer: a page that says so (nothing changed), with the way back. */
export async function failurePage(ctx: Context, page: PageRenderer, error: unknown): Promise<void> {
  if (error instanceof UpstreamFailed)
    return page.render(
      ctx,
      'pages/connection-failed.njk',
      {
        connection: error.connectionName,
        back: error.interactionUid ? `/interaction/${error.interactionUid}` : '/account',
      },
      400,
    );
  if (error instanceof AppError && error.status === 409)
    return page.render(ctx, 'pages/connection-failed.njk', { problem: error.description, back: '/account' }, 409);
  throw error;
}

export function callbackRoutes({ federation, page, browser, issuer }: Deps): Router {
  const router = new Router();
  router.get('/connections/:slug/callback', async (ctx: Context) => {
    const slug = Slug.safeParse(ctx.params.slug);
    // The URL the upstream redirected to, as registered there (the issuer's, whatever Host said).
    const url = new URL(`${issuer}/connections/${ctx.params.slug}/callback${ctx.search}`);
    try {
      if (!slug.success) throw new UpstreamFailed(undefined, undefined);
      const handoff = await federation.callback(slug.data, url, () => browser.accountId(ctx));
      ctx.status = 303;
      ctx.redirect(handoffUrl(handoff));
    } catch (error) {
      return failurePage(ctx, page, error);
    }
  });
  return router;
}
