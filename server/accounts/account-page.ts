// The account page (/account): the signed-in person's profile, and the sections other features add to it
// (sign-in methods, second factors, sessions and apps…). accounts/ renders the page and knows none of them.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { pageForm, parsePageForm } from '../http/forms.js';
import type { SignedInBrowser } from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import type { AccountService } from './service.js';

export const ACCOUNT_PAGE = '/account';
/**
 * How recent a sign-in must be to take a way of signing in or a second factor away, or to replace the
 * recovery codes: a browser left signed in must not be enough to weaken the account.
 */
export const RECENT_SIGN_IN_MS = 10 * 60_000;

/** What a section's forms may do: find the signed-in account, run a change, show the page again. */
export interface AccountPage {
  /** The signed-in account's id, or undefined after sending the browser to sign in. */
  signedIn(ctx: Context): Promise<string | undefined>;
  /**
   * The signed-in account's id if it signed in within RECENT_SIGN_IN_MS; otherwise the page asks to sign in
   * again (403, with a button that comes back here) and this is undefined.
   */
  recentlySignedIn(ctx: Context): Promise<string | undefined>;
  /**
   * Runs a change for the signed-in account, then sends the browser back to the page with `notice`
   * (a message key under `account.done.`); a rule it breaks (4xx) is shown on the page instead. With
   * `recent`, only after a recent sign-in (see recentlySignedIn).
   */
  change(
    ctx: Context,
    act: (accountId: string) => Promise<unknown>,
    notice: string,
    options?: { recent?: boolean },
  ): Promise<void>;
  show(ctx: Context, accountId: string, extra?: Record<string, unknown>, status?: number): Promise<void>;
}

/**
 * A part of the account page contributed by another feature: `template` is a partial under
 * views/partials/account/ rendered with what `load` returns (and the page's own data), `routes` its
 * forms under /account/….
 */
export interface AccountSection {
  template: string;
  load(accountId: string): Promise<Record<string, unknown>>;
  routes?(router: Router, page: AccountPage): void;
}

export interface AccountPageDeps {
  accounts: AccountService;
  page: PageRenderer;
  browser: SignedInBrowser;
  sections?: AccountSection[];
}

const Query = z.object({
  done: z
    .string()
    .regex(/^[a-z_]{1,40}$/)
    .optional()
    .catch(undefined),
});
const profileBody = pageForm({ name: z.string().optional() });
const profileName = z.string({ error: 'name_required' }).trim().min(1, 'name_required').max(200, 'name_too_long');

export function accountPage({ accounts, page, browser, sections = [] }: AccountPageDeps): Router {
  async function signedIn(ctx: Context): Promise<string | undefined> {
    const accountId = await browser.accountId(ctx);
    if (!accountId || !(await accounts.findById(accountId))) {
      ctx.redirect(browser.signInUrl(ctx, ctx.method === 'GET' ? ctx.originalUrl : ACCOUNT_PAGE));
      return undefined;
    }
    return accountId;
  }

  async function recentlySignedIn(ctx: Context): Promise<string | undefined> {
    const accountId = await signedIn(ctx);
    if (!accountId) return undefined;
    const at = await browser.signedInAt(ctx);
    if (at && Date.now() - at.getTime() <= RECENT_SIGN_IN_MS) return accountId;
    const account = await accounts.findById(accountId);
    const again = browser.signInUrl(ctx, ACCOUNT_PAGE, { again: true, loginHint: account?.email ?? undefined });
    await show(ctx, accountId, { signInAgain: again }, 403);
    return undefined;
  }

  async function show(ctx: Context, accountId: string, extra: Record<string, unknown> = {}, status = 200) {
    const [account, ...parts] = await Promise.all([
      accounts.findById(accountId),
      ...sections.map((section) => section.load(accountId)),
    ]);
    if (!account) throw new AppError(404, 'account_not_found', 'This account no longer exists.');
    page.render(
      ctx,
      'pages/account.njk',
      {
        account,
        notice: Query.parse(ctx.query).done,
        sections: sections.map((section, i) => ({ template: section.template, data: parts[i] })),
        ...extra,
      },
      status,
    );
  }

  async function change(
    ctx: Context,
    act: (accountId: string) => Promise<unknown>,
    notice: string,
    { recent = false }: { recent?: boolean } = {},
  ) {
    const accountId = await (recent ? recentlySignedIn(ctx) : signedIn(ctx));
    if (!accountId) return;
    try {
      await act(accountId);
    } catch (error) {
      if (error instanceof AppError && error.status >= 400 && error.status < 500 && error.status !== 404)
        return show(ctx, accountId, { error: error.description }, error.status);
      throw error;
    }
    ctx.status = 303;
    ctx.redirect(`${ACCOUNT_PAGE}?done=${notice}`);
  }

  const kit: AccountPage = { signedIn, recentlySignedIn, change, show };
  const router = new Router();
  router.get(ACCOUNT_PAGE, async (ctx) => {
    const accountId = await signedIn(ctx);
    if (accountId) await show(ctx, accountId);
  });
  router.post(`${ACCOUNT_PAGE}/profile`, async (ctx) => {
    const name = profileName.safeParse(parsePageForm(profileBody, ctx.request.body).name);
    if (!name.success) {
      const accountId = await signedIn(ctx);
      if (accountId)
        await show(ctx, accountId, { profileError: `register.error.${name.error.issues[0]!.message}` }, 400);
      return;
    }
    return change(ctx, (accountId) => accounts.updateProfile(accountId, { name: name.data }), 'profile');
  });
  for (const section of sections) section.routes?.(router, kit);
  return router;
}
