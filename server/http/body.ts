// Parses JSON and form bodies for Tessera's own routes. Not for oidc-provider, which reads its
// request bodies itself and must find the stream untouched.
import { bodyParser as koaBodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';
import { BadRequest } from '../errors.js';
import { measureJson } from './json-limits.js';

export interface BodyParserOptions {
  jsonLimit?: string;
  formLimit?: string;
}

const PARSED_METHODS = ['POST', 'PUT', 'PATCH'];

/** No form or API body of ours nests deeper; the bound keeps every recursive reader of the body safe. */
export const MAX_BODY_DEPTH = 32;

/**
 * Too large → 413, not JSON or a form → 415, malformed JSON → 400 `invalid_json`, not what its
 * Content-Encoding says or nested deeper than MAX_BODY_DEPTH → 400 `invalid_body`: all thrown, so
 * the error handler answers them like any other error.
 */
export function bodyParser(options: BodyParserOptions = {}): Middleware {
  const parse = koaBodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: options.jsonLimit ?? '100kb',
    formLimit: options.formLimit ?? '64kb',
    parsedMethods: PARSED_METHODS,
    onError: refuseUndecodable,
  });
  return async (ctx, next) => {
    // @koa/bodyparser silently leaves a body of any other type unread; say so instead, or a
    // handler would validate an empty object and answer with a puzzling message.
    if (PARSED_METHODS.includes(ctx.method) && carriesBody(ctx) && !ctx.is('json', 'urlencoded')) {
      ctx.throw(415, 'Send the request body as application/json or application/x-www-form-urlencoded.');
    }
    await parse(ctx, async () => {
      if (measureJson(ctx.request.body, MAX_BODY_DEPTH).depth > MAX_BODY_DEPTH) {
        throw new BadRequest(`The request body is nested deeper than ${MAX_BODY_DEPTH} levels.`, 'invalid_body');
      }
      await next();
    });
  };
}

/**
 * Errors with a status (size, JSON syntax, unknown encoding) pass on as they are. A body that claims
 * gzip, deflate or br but does not decode makes zlib fail with a bare Error, which is the client's fault.
 */
function refuseUndecodable(err: Error, ctx: Context): never {
  const { status } = err as { status?: unknown };
  if (typeof status !== 'number' && ctx.get('Content-Encoding') !== '') {
    throw new BadRequest('The request body does not decode as its Content-Encoding says.', 'invalid_body');
  }
  throw err;
}

// `Content-Length: 0` without a type is how many clients send a POST with nothing to say.
function carriesBody(ctx: Context): boolean {
  return (ctx.request.length ?? 0) > 0 || ctx.get('Transfer-Encoding') !== '';
}
