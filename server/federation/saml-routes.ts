// A SAML connection's endpoints under /connections/:slug/saml/: the SP metadata (what the IdP is given)
// and the Assertion Consumer Service (HTTP-POST binding). The ACS is posted by the IdP's page, another
// site, so it has no CSRF token: it stands outside the page router's CSRF check, and its proof is the
// signed response itself (with InResponseTo tying it to a sign-in we started, or none at all for an
// IdP-initiated one, which signs nobody in). A refused response gets the same page as a failed callback.
import Router from '@koa/router';
import type { Context } from 'koa';
import { NotFound } from '../errors.js';
import { bodyParser } from '../http/body.js';
import type { SignedInBrowser } from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import { Slug } from '../tenants/schemas.js';
import { failurePage, handoffUrl } from './callback.js';
import type { ConnectionService } from './connections.js';
import type { SamlServiceProvider } from './saml.js';
import { type FederationService, UpstreamFailed } from './sign-ins.js';

interface Deps {
  federation: FederationService;
  connections: ConnectionService;
  saml: SamlServiceProvider;
  page: PageRenderer;
  browser: SignedInBrowser;
}

export function samlRoutes({ federation, connections, saml, page, browser }: Deps): Router {
  const router = new Router();

  router.get('/connections/:slug/saml/metadata', async (ctx: Context) => {
    const slug = Slug.safeParse(ctx.params.slug);
    const connection = slug.success ? await connections.live(slug.data) : undefined;
    if (connection?.kind !== 'saml') throw new NotFound('There is no such SAML connection.', 'connection_not_found');
    ctx.type = 'application/samlmetadata+xml';
    ctx.body = saml.metadata(connection);
  });

  router.post('/connections/:slug/saml/acs', bodyParser({ formLimit: '512kb' }), async (ctx: Context) => {
    const slug = Slug.safeParse(ctx.params.slug);
    try {
      if (!slug.success) throw new UpstreamFailed(undefined, undefined);
      const form = (ctx.request.body ?? {}) as Record<string, unknown>;
      const handoff = await federation.samlResponse(slug.data, form, () => browser.accountId(ctx));
      ctx.status = 303;
      if (handoff.purpose === 'unsolicited') ctx.redirect(handoff.landing);
      else if (handoff.purpose === 'link_return') ctx.redirect(`/connections/${slug.data}/saml/link/${handoff.id}`);
      else ctx.redirect(handoffUrl(handoff));
    } catch (error) {
      return failurePage(ctx, page, error);
    }
  });

  // The account page's link, continued where the session cookie is sent (a top-level GET): like the OIDC
  // callback, this GET finishes what the upstream proved, once, for the account signed in here only.
  router.get('/connections/:slug/saml/link/:id', async (ctx: Context) => {
    const slug = Slug.safeParse(ctx.params.slug);
    const id = String(ctx.params.id);
    try {
      if (!slug.success || !/^[0-9a-f]{64}$/.test(id)) throw new UpstreamFailed(undefined, undefined);
      const handoff = await federation.samlLinkReturn(slug.data, id, () => browser.accountId(ctx));
      ctx.status = 303;
      ctx.redirect(handoffUrl(handoff));
    } catch (error) {
      return failurePage(ctx, page, error);
    }
  });

  return router;
}
