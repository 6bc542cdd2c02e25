// Parses JSON and form bodies for Tessera's own routes. Not for oidc-provider, which reads its
// request bodies itself and must find the stream untouched.
import { bodyParser as koaBodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';

export interface BodyParserOptions {
  jsonLimit?: string;
  formLimit?: string;
}

const PARSED_METHODS = ['POST', 'PUT', 'PATCH'];

/**
 * Too large → 413, not JSON or a form → 415, malformed JSON → 400 `invalid_json`: all thrown, so the
 * error handler answers them like any other error.
 */
export function bodyParser(options: BodyParserOptions = {}): Middleware {
  const parse = koaBodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: options.jsonLimit ?? '100kb',
    formLimit: options.formLimit ?? '64kb',
    parsedMethods: PARSED_METHODS,
  });
  return async (ctx, next) => {
    // @koa/bodyparser silently leaves a body of any other type unread; say so instead, or a
    // handler would validate an empty object and answer with a puzzling message.
    if (PARSED_METHODS.includes(ctx.method) && carriesBody(ctx) && !ctx.is('json', 'urlencoded')) {
      ctx.throw(415, 'Send the request body as application/json or application/x-www-form-urlencoded.');
    }
    await parse(ctx, next);
  };
}

// `Content-Length: 0` without a type is how many clients send a POST with nothing to say.
function carriesBody(ctx: Context): boolean {
  return (ctx.request.length ?? 0) > 0 || ctx.get('Transfer-Encoding') !== '';
}
