// Typed errors that services throw. They carry a status number and a machine-readable code, and
// know nothing else of HTTP: http/error-handler.ts turns them into JSON or an error page, once.

export interface AppErrorOptions {
  /** Response headers the error needs, e.g. WWW-Authenticate or Retry-After. */
  headers?: Record<string, string>;
}

export class AppError extends Error {
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    options: AppErrorOptions = {},
  ) {
    super(description);
    this.name = new.target.name;
    this.headers = options.headers ?? {};
  }
}

// The code each status answers with when nobody chose a more precise one. The error handler uses
// the same table for errors that Koa, the router or the body parser raise.
const codeByStatus: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'invalid_token',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  411: 'length_required',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  503: 'temporarily_unavailable',
};

export function codeForStatus(status: number): string {
  return codeByStatus[status] ?? (status >= 500 ? 'server_error' : 'invalid_request');
}

/** A subclass with a fixed status and a default code and description. */
function errorKind(status: number, defaultDescription: string) {
  return class extends AppError {
    constructor(description = defaultDescription, code = codeForStatus(status), options: AppErrorOptions = {}) {
      super(status, code, description, options);
    }
  };
}

export class BadRequest extends errorKind(400, 'The request is not valid.') {}
export class Forbidden extends errorKind(403, 'You are not allowed to do this.') {}
export class NotFound extends errorKind(404, 'Nothing was found here.') {}
export class Conflict extends errorKind(409, 'This conflicts with what already exists.') {}
export class Unprocessable extends errorKind(422, 'The request cannot be carried out as it stands.') {}

export class Unauthorized extends AppError {
  // RFC 6750 §3: a 401 for a protected resource names the scheme the caller must use.
  constructor(
    description = 'A valid access token is required.',
    code = 'invalid_token',
    options: AppErrorOptions = {},
  ) {
    super(401, code, description, { headers: { 'WWW-Authenticate': `Bearer error="${code}"`, ...options.headers } });
  }
}

export class TooManyRequests extends AppError {
  readonly retryAfterSeconds: number;

  constructor(
    retryAfterSeconds: number,
    description = 'Too many attempts. Please wait and try again.',
    code = 'too_many_requests',
  ) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(429, code, description, { headers: { 'Retry-After': String(seconds) } });
    this.retryAfterSeconds = seconds;
  }
}

/** The server cannot take the request now (e.g. no database connection came free in time); retry soon. */
export class ServiceUnavailable extends AppError {
  constructor(
    retryAfterSeconds = 1,
    description = 'The server is busy. Please try again in a moment.',
    code = 'temporarily_unavailable',
  ) {
    super(503, code, description, { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
  }
}
