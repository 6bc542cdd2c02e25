// The JSON logger, the access log, and the URL redaction that keeps tokens out of both.
import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config.js';

export type { Logger };

// Fields that hold credentials wherever they appear in a logged object (top level or one deep).
const secretFields = [
  'password',
  'password_hash',
  'client_secret',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'invitation',
];
const secretHeaders = ['authorization', 'cookie', '"set-cookie"'];

const redactPaths = [
  ...secretFields.flatMap((field) => [field, `*.${field}`]),
  ...secretHeaders.flatMap((header) => [`headers.${header}`, `*.headers.${header}`]),
];

/** `destination` is for tests; by default pino writes to stdout. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

// Query parameters whose values never carry a credential or personal data, so they stay readable.
// Everything else is redacted: code, state, nonce, *_hint, token, invitation, code_challenge,
// redirect URIs (an app may put its own state in them), search (may be an e-mail address)…
const harmlessQueryParameters = new Set([
  'client_id',
  'response_type',
  'response_mode',
  'scope',
  'prompt',
  'ui_locales',
  'display',
  'max_age',
  'code_challenge_method',
  'status',
  'limit',
]);

const REDACTED = '[redacted]';
const JWT = /^eyJ[\w-]*(\.[\w-]*){2,4}$/; // a JWS (3 parts) or JWE (5): its header always starts `{"`
const LONG_RANDOM = /^[\w-]{32,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i; // ids, not secrets

// `GET http://host/i/x HTTP/1.1` is routed by its path; a user:password@ in it is a credential.
const ABSOLUTE_FORM = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i;

/**
 * The URL as it may be logged: the path with token-bearing segments replaced, and the query with
 * its parameter names kept but every value not known to be harmless replaced.
 */
export function redactUrl(url: string): string {
  const origin = ABSOLUTE_FORM.exec(url)?.[0] ?? '';
  const hashAt = url.indexOf('#');
  const withoutHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = withoutHash.indexOf('?');
  const path = (queryAt === -1 ? withoutHash : withoutHash.slice(0, queryAt)).slice(origin.length);
  const query = queryAt === -1 ? undefined : withoutHash.slice(queryAt + 1);
  const withoutUserInfo = origin.replace(/\/\/[^/]*@/, `//${REDACTED}@`);
  return (
    withoutUserInfo +
    redactPath(path) +
    (query === undefined ? '' : `?${redactQuery(query)}`) +
    (hashAt === -1 ? '' : `#${REDACTED}`)
  );
}

// Routes whose remaining path is a secret: /tenants/invitation-tokens/{token} carries a signed
// invitation, /i/{handle} its short SMS form, /setup/{token} the first operator's setup link.
const SECRET_ROUTES = [['i'], ['tenants', 'invitation-tokens'], ['setup']];

function redactPath(path: string): string {
  const secretRoute = secretRouteOf(path);
  if (secretRoute) return `/${[...secretRoute, REDACTED].join('/')}`;
  return path
    .split('/')
    .map((segment) => (looksLikeToken(percentDecoded(segment)) ? REDACTED : segment))
    .join('/');
}

/**
 * The secret route a path leads to, compared the way the router compares (case-insensitively, after
 * percent-decoding, trailing slash or not) and more loosely still (encoded slashes, empty and dot
 * segments), so that no spelling of an invitation link gets its token into the log.
 */
function secretRouteOf(path: string): string[] | undefined {
  const segments: string[] = [];
  for (const segment of percentDecoded(path).toLowerCase().split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '' && segment !== '.') segments.push(segment);
  }
  return SECRET_ROUTES.find(
    (route) => segments.length > route.length && route.every((name, i) => segments[i] === name),
  );
}

/** Free text (an error message) with every word that looks like a token or a JWT replaced. */
export function redactTokens(text: string): string {
  return text.replace(/[\w.-]{20,}/g, (word) => (looksLikeToken(word) ? REDACTED : word));
}

function looksLikeToken(segment: string): boolean {
  return JWT.test(segment) || (LONG_RANDOM.test(segment) && !UUID.test(segment));
}

// ASCII escapes only, so it never throws on a malformed or partial UTF-8 sequence; route names and
// tokens are ASCII.
function percentDecoded(text: string): string {
  return text.replace(/%([0-7][\da-f])/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const equalsAt = pair.indexOf('=');
      if (equalsAt === -1) return pair;
      const name = pair.slice(0, equalsAt);
      return harmlessQueryParameters.has(decodeName(name)) ? pair : `${name}=${REDACTED}`;
    })
    .join('&');
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

const INCOMING_REQUEST_ID = /^[\w-]{1,64}$/;

/** The id of the current request, set by accessLog; error logs and pages quote it. */
export function requestIdOf(ctx: Context): string | undefined {
  return ctx.state.requestId as string | undefined;
}

/** One log line per request, and an X-Request-Id that ties the response to it. */
export function accessLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    // A proxy's id is kept so one request can be followed across systems; anything odd is replaced,
    // since it would be written into our logs verbatim.
    const incoming = ctx.get('X-Request-Id');
    const requestId = INCOMING_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    let failure: unknown;
    try {
      await next();
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      // Redacting the URL is the costly part of a log line: skip it all when nobody reads info lines.
      if (logger.isLevelEnabled('info'))
        logger.info(
          {
            requestId,
            method: ctx.method,
            url: redactUrl(ctx.originalUrl),
            status: failure === undefined ? ctx.status : statusOf(failure),
            ms: Math.round((performance.now() - started) * 10) / 10,
          },
          'request',
        );
    }
  };
}

// Without the error handler inside it, Koa answers an escaped error with its status or 500.
function statusOf(err: unknown): number {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
