// Makes every absolute URL follow ISSUER, never the request's Host or X-Forwarded-Host.
//
// Koa builds ctx.href, ctx.URL, ctx.host and ctx.protocol from the Host header (X-Forwarded-Host and
// X-Forwarded-Proto when app.proxy is set) and from an absolute-form request target
// (`GET http://evil.example/ HTTP/1.1`). oidc-provider builds its endpoint URLs from ctx.href, so a
// forged Host would land in discovery, redirects and links (Zitadel, CVE-2023-49097). ctx.secure,
// which decides the Secure flag of cookies, derives from ctx.protocol.
//
// Left alone on purpose: `origin`, which in Koa 3 is the browser's Origin header (CSRF checks read
// it), and `ip` / `ips`, which app.proxy governs.
import type Koa from 'koa';
import type { Request } from 'koa';

const ABSOLUTE_FORM = /^https?:\/\//i;
const PINNED_URL = Symbol('the request URL on the issuer origin');

/**
 * Defines the getters once, on the app's request prototype (every request's object inherits them): defining
 * them per request cost a tenth of a token request and left each request object in V8's slow mode.
 */
export function pinOrigin(app: Koa, issuer: string): void {
  const { protocol, host, hostname, origin } = new URL(issuer);
  const scheme = protocol.slice(0, -1);
  const pinned = (request: Request) => origin + pathAndQuery(request);
  Object.defineProperties(app.request, {
    protocol: { get: () => scheme, configurable: true },
    // `secure` decides the Secure flag of cookies (ctx.cookies reads it when first used).
    secure: { get: () => scheme === 'https', configurable: true },
    host: { get: () => host, configurable: true },
    hostname: { get: () => hostname, configurable: true },
    href: {
      get(this: Request) {
        return pinned(this);
      },
      configurable: true,
    },
    URL: {
      get(this: Request & { [PINNED_URL]?: URL }) {
        this[PINNED_URL] ??= new URL(pinned(this));
        return this[PINNED_URL];
      },
      configurable: true,
    },
  });
}

// The request target without any scheme and authority the client put in it.
function pathAndQuery(request: Request): string {
  const target = request.originalUrl;
  if (!ABSOLUTE_FORM.test(target)) return target;
  const url = new URL(target);
  return url.pathname + url.search;
}
