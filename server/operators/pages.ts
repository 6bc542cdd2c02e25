// The start page (/) and the first-operator setup page (/setup/:token). GET shows; only the POST acts.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import { pageForm, parsePageForm } from '../http/forms.js';
import type { BrowserSessions } from '../oidc/browser-session.js';
import type { PageRenderer } from '../page.js';
import type { OperatorService } from './service.js';

export interface OperatorPageDeps {
  operators: OperatorService;
  accounts: AccountService;
  page: PageRenderer;
  browser: BrowserSessions;
  demo: boolean;
  /**
   * Anyone may sign up (REGISTRATION=open): the setup page offers "Create an account". Invitation-only, the
   * first operator's account comes from TESSERA_BOOTSTRAP_ADMIN_* or the CLI, and the page offers sign-in only.
   */
  registrationOpen?: boolean;
}

const Token = z.string().regex(/^[\w-]{20,100}$/);
const confirmBody = pageForm({});

export function operatorPages({
  operators,
  accounts,
  page,
  browser,
  demo,
  registrationOpen = true,
}: OperatorPageDeps): Router {
  const router = new Router();

  /** The signed-in account that still exists (and is not disabled), with how it shows on a page. */
  async function whoIsSignedIn(ctx: Context) {
    const accountId = await browser.accountId(ctx);
    const account = accountId ? await accounts.findById(accountId) : null;
    return account && !account.disabledAt
      ? { id: account.id, shown: account.email ?? account.name ?? account.id }
      : undefined;
  }

  router.get('/', async (ctx) => {
    const who = await whoIsSignedIn(ctx);
    page.render(ctx, 'pages/home.njk', {
      who: who?.shown,
      operator: who ? await operators.isOperator(who.id) : false,
      signInUrl: who ? undefined : browser.signInUrl(ctx, '/'),
      demo,
    });
  });

  const setupPath = (token: string) => `/setup/${token}`;
  const invalid = (ctx: Context) => page.render(ctx, 'pages/operator-setup.njk', { works: false }, 404);

  router.get('/setup/:token', async (ctx) => {
    const token = Token.safeParse(ctx.params.token);
    if (!token.success || !(await operators.setupLinkWorks(token.data))) return invalid(ctx);
    const here = setupPath(token.data);
    const who = await whoIsSignedIn(ctx);
    page.render(ctx, 'pages/operator-setup.njk', {
      works: true,
      who: who?.shown,
      action: here,
      switchUrl: who ? browser.signInUrl(ctx, here, { again: true }) : undefined,
      signInUrl: who ? undefined : browser.signInUrl(ctx, here),
      registerUrl:
        who || !registrationOpen ? undefined : browser.signInUrl(ctx, here, { params: { screen: 'register' } }),
    });
  });

  router.post('/setup/:token', async (ctx) => {
    parsePageForm(confirmBody, ctx.request.body);
    const token = Token.safeParse(ctx.params.token);
    if (!token.success) return invalid(ctx);
    const who = await whoIsSignedIn(ctx);
    if (!who) {
      ctx.status = 303;
      return ctx.redirect(browser.signInUrl(ctx, setupPath(token.data)));
    }
    if (!(await operators.redeemSetupLink(token.data, who.id))) return invalid(ctx);
    page.render(ctx, 'pages/operator-setup.njk', { works: true, done: true });
  });

  return router;
}
