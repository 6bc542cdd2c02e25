// What happens when oidc-provider answers an error of ours as `server_error`: it writes the 500 itself and
// would log nothing, so a failing database or bug behind /token or /auth went unseen.
import type { Context } from 'koa';
import { ServiceUnavailable } from '../errors.js';
import { type Logger, redactTokens, redactUrl, requestIdOf } from '../http/logging.js';

/**
 * The provider's `server_error` listener: a busy or unavailable database answers 503 with Retry-After;
 * anything else is logged with the request id, the method and the redacted URL, and the error's type and
 * message with token-like words removed (never the body, the query's values or the error's other fields).
 */
export function onProviderServerError(logger: Logger): (ctx: Context, error: unknown) => void {
  return (ctx, error) => {
    if (error instanceof ServiceUnavailable) {
      ctx.status = error.status;
      ctx.set({ ...error.headers });
      return;
    }
    // Under `error`, not `err`: pino's err serializer would name the plain object's type "Object".
    const err =
      error instanceof Error
        ? { type: error.name, message: redactTokens(error.message) }
        : { type: typeof error, message: redactTokens(String(error)) };
    logger.error(
      { requestId: requestIdOf(ctx), method: ctx.method, url: redactUrl(ctx.originalUrl), error: err },
      'provider server_error',
    );
  };
}
