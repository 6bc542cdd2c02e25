// The operator console (/admin): pages over the operator API's own operations, run for the signed-in
// operator. Each area (console-clients.ts, console-accounts.ts, console-records.ts) adds its routes here.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { toAppError } from '../http/error-handler.js';
import type { SignedInBrowser } from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import { type Acting, invoke, type Operation, type RawInput } from './operation.js';

export const CONSOLE = '/admin';

/** Rows per page in every list of the console. */
export const CONSOLE_PAGE_SIZE = 25;

export interface ConsoleDeps {
  operations: Operation[];
  isOperator(accountId: string): Promise<boolean>;
  page: PageRenderer;
  browser: SignedInBrowser;
}

/** What an area's routes use: the operator's check, the operations, and the console's way to answer. */
export interface Console {
  /** The signed-in operator, or undefined after sending the browser to sign in or showing the 403 page. */
  operator(ctx: Context): Promise<Acting | undefined>;
  /** Runs an operator operation by name, its input read by the operation's schemas; answers its body. */
  run<T = unknown>(name: string, input: RawInput, acting: Acting): Promise<T>;
  /** Renders a console page (under views/pages/admin/) with the area's navigation marked. */
  show(ctx: Context, template: string, area: string, data: Record<string, unknown>, status?: number): void;
  /**
   * Runs a change; a rule it breaks (4xx but 404) is shown by `refused` with the reason, else the browser
   * goes to `then` with a notice (a message key under `admin.done.`).
   */
  change(
    ctx: Context,
    act: (acting: Acting) => Promise<unknown>,
    then: string,
    notice: string,
    refused: (acting: Acting, error: string, status: number) => Promise<void>,
  ): Promise<void>;
}

/** The query every console page may carry: a notice after a change. */
export const NoticeQuery = z
  .string()
  .regex(/^[a-z_]{1,40}$/)
  .optional()
  .catch(undefined);

/**
 * A rule an operation refused the input for (4xx but 404, or the operation's schema refusing a field): shown on
 * the page with its reason, not as an error page.
 */
export function refusal(error: unknown): { description: string; status: number } | undefined {
  const known = error instanceof z.ZodError ? toAppError(error) : error;
  if (!(known instanceof AppError) || known.status < 400 || known.status >= 500 || known.status === 404)
    return undefined;
  return { description: known.description, status: known.status };
}

export type ConsoleArea = (router: Router, console: Console) => void;

export function operatorConsole({ operations, isOperator, page, browser }: ConsoleDeps, areas: ConsoleArea[]): Router {
  const byName = new Map(operations.map((op) => [op.name, op]));

  async function operator(ctx: Context): Promise<Acting | undefined> {
    const accountId = await browser.accountId(ctx);
    if (!accountId) {
      ctx.redirect(browser.signInUrl(ctx, ctx.method === 'GET' ? ctx.originalUrl : CONSOLE));
      return undefined;
    }
    // Read at every request, as the operator API does: the role ends the moment it is taken away.
    if (!(await isOperator(accountId))) {
      page.render(ctx, 'pages/admin/forbidden.njk', {}, 403);
      return undefined;
    }
    return { actor: accountId };
  }

  async function run<T>(name: string, input: RawInput, acting: Acting): Promise<T> {
    const op = byName.get(name);
    if (!op) throw new Error(`unknown operation ${name}`);
    return (await invoke(op, input, acting)).body as T;
  }

  function show(ctx: Context, template: string, area: string, data: Record<string, unknown>, status = 200) {
    page.render(
      ctx,
      `pages/admin/${template}.njk`,
      { area, notice: NoticeQuery.parse(ctx.query.done), ...data },
      status,
    );
  }

  async function change(
    ctx: Context,
    act: (acting: Acting) => Promise<unknown>,
    then: string,
    notice: string,
    refused: (acting: Acting, error: string, status: number) => Promise<void>,
  ) {
    const acting = await operator(ctx);
    if (!acting) return;
    try {
      await act(acting);
    } catch (error) {
      const reason = refusal(error);
      if (reason) return refused(acting, reason.description, reason.status);
      throw error;
    }
    ctx.status = 303;
    ctx.redirect(`${then}?done=${notice}`);
  }

  const router = new Router();
  const kit: Console = { operator, run, show, change };
  router.get(CONSOLE, async (ctx) => {
    if (await operator(ctx)) ctx.redirect(`${CONSOLE}/clients`);
  });
  for (const area of areas) area(router, kit);
  return router;
}
