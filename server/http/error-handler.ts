// Turns every error, and every request nothing answered, into one response shape: JSON
// `{error, error_description}` for the API and JSON clients, the error page for browsers.
import type { Context, Middleware } from 'koa';
import { core as zodCore } from 'zod';
import { AppError, BadRequest, codeForStatus, NotFound } from '../errors.js';
import { redactUrl, requestIdOf, type Logger } from './logging.js';

export interface ErrorResponse {
  status: number;
  code: string;
  description: string;
}

export interface ErrorHandlerOptions {
  renderErrorPage: (ctx: Context, error: ErrorResponse) => Promise<void> | void;
  logger: Logger;
  /** The methods a path takes where a router cannot tell (the provider's endpoints); undefined for other paths. */
  methodsAt?: (path: string) => readonly string[] | undefined;
}

const serverError = new AppError(500, 'server_error', 'Something went wrong on our side. Please try again later.');

export function errorHandler(options: ErrorHandlerOptions): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      const refused = methodRefused(ctx, options.methodsAt);
      if (refused)
        await respond(
          ctx,
          new AppError(405, 'method_not_allowed', `This address does not accept ${ctx.method}.`, {
            headers: refused.headers,
          }),
          options,
        );
      else if (nothingAnswered(ctx)) await respond(ctx, new NotFound(), options);
    } catch (err) {
      const error = toAppError(err);
      if (error.status >= 500) logFailure(ctx, err, options.logger);
      // Once headers are out there is nothing left to correct; Koa ends the response.
      if (!ctx.headerSent) await respond(ctx, error, options);
    }
  };
}

// Koa leaves status 404 with no body when no middleware answered: an unknown route.
function nothingAnswered(ctx: Context): boolean {
  return ctx.status === 404 && ctx.body == null && ctx.respond !== false && !ctx.headerSent;
}

// The methods some route of ours or of the provider serves. Anything else (TRACE, PROPFIND, …) is
// refused everywhere, rather than answered 404 by the provider or 501 by the router.
const SERVED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * A method this address does not take, with no answer written yet: the router's allowedMethods
 * (405 for a known path, 501 for a method it does not implement, both with Allow and no body), a
 * method `methodsAt` knows the path does not take, or a method no route serves that fell through
 * to a 404. Returns the Allow header to send when the router has not set one.
 */
function methodRefused(
  ctx: Context,
  methodsAt: ErrorHandlerOptions['methodsAt'],
): { headers: Record<string, string> } | undefined {
  if (ctx.body != null || ctx.respond === false || ctx.headerSent) return undefined;
  if (![404, 405, 501].includes(ctx.status)) return undefined;
  const known = methodsAt?.(ctx.path);
  const headers: Record<string, string> = known && !ctx.response.get('Allow') ? { Allow: known.join(', ') } : {};
  const refused =
    ctx.status !== 404 || // the router refused it already
    (known !== undefined && !known.includes(ctx.method)) || // a provider endpoint that takes other methods
    !SERVED_METHODS.has(ctx.method); // no route anywhere serves it
  return refused ? { headers } : undefined;
}

/** What the client may learn about an error: never more than we chose to tell. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof zodCore.$ZodError) return new BadRequest(describeIssues(err.issues));
  const status = clientErrorStatus(err);
  if (status === undefined) return serverError;
  // co-body throws a SyntaxError with status 400 for a body that is not JSON; its message quotes the body.
  if (err instanceof SyntaxError) return new BadRequest('The request body is not valid JSON.', 'invalid_json');
  const { expose, message } = err as { expose?: boolean; message?: string };
  const description = expose === true && message ? message : 'The request cannot be served.';
  return new AppError(status, codeForStatus(status), description, { headers: exposedHeaders(err) });
}

/** The 4xx status of an error raised by Koa, the router or the body parser (http-errors shape). */
function clientErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  return expose === false ? undefined : status;
}

function exposedHeaders(err: unknown): Record<string, string> {
  const headers = (err as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return {};
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function describeIssues(issues: readonly zodCore.$ZodIssue[]): string {
  return issues
    .slice(0, 10)
    .map((issue) => `${issue.path.map(String).join('.') || 'request'}: ${issue.message}`)
    .join('; ');
}

function logFailure(ctx: Context, err: unknown, logger: Logger): void {
  // Only what identifies the failure: never the request body or arbitrary error properties
  // (co-body, for one, attaches the raw body to its errors).
  const error =
    err instanceof Error
      ? { type: err.name, message: err.message, stack: err.stack }
      : { type: typeof err, message: String(err) };
  logger.error(
    { requestId: requestIdOf(ctx), method: ctx.method, url: redactUrl(ctx.originalUrl), err: error },
    'request failed',
  );
}

async function respond(ctx: Context, appError: AppError, options: ErrorHandlerOptions): Promise<void> {
  clearRepresentationHeaders(ctx);
  // The router sends an empty Allow for a path it does not know, which would claim that no method is allowed.
  if (!ctx.response.get('Allow')) ctx.remove('Allow');
  ctx.status = appError.status;
  ctx.set({ ...appError.headers });
  const error: ErrorResponse = { status: appError.status, code: appError.code, description: appError.description };
  if (wantsJson(ctx)) {
    ctx.body = { error: error.code, error_description: error.description };
    return;
  }
  try {
    await options.renderErrorPage(ctx, error);
    ctx.status = error.status; // a template may have set a body, which would make it 200
  } catch (renderFailure) {
    logFailure(ctx, renderFailure, options.logger);
    ctx.status = error.status;
    ctx.type = 'text/plain';
    ctx.body = error.description;
  }
}

// Headers that described the response being built when it failed, and would contradict the error.
// Everything else (security headers, X-Request-Id, no-store) stays.
function clearRepresentationHeaders(ctx: Context): void {
  for (const name of [
    'Content-Disposition',
    'Content-Encoding',
    'Content-Language',
    'Content-Range',
    'ETag',
    'Last-Modified',
    'Location',
  ]) {
    ctx.remove(name);
  }
}

// The routers match paths without regard to letter case, so /API/… is the API too.
function wantsJson(ctx: Context): boolean {
  const path = ctx.path.toLowerCase();
  return path === '/api' || path.startsWith('/api/') || ctx.accepts('html', 'json') === 'json';
}
