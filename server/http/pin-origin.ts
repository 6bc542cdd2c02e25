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
import type { Middleware, Request } from 'koa';

const ABSOLUTE_FORM = /^https?:\/\//i;

export function pinOrigin(issuer: string): Middleware {
  const { protocol, host, hostname, origin } = new URL(issuer);
  const scheme = protocol.slice(0, -1);
  return async (ctx, next) => {
    const request = ctx.request;
    let memoizedUrl: URL | undefined;
    // Own properties on this request's object shadow the getters on Koa's request prototype;
    // `subdomains` reads `this.hostname`, so it follows too. Run this before anything touches
    // ctx.cookies, which takes `secure` once, when first used.
    Object.defineProperties(request, {
      protocol: { value: scheme, configurable: true },
      secure: { value: scheme === 'https', configurable: true },
      host: { value: host, configurable: true },
      hostname: { value: hostname, configurable: true },
      href: { get: () => origin + pathAndQuery(request), configurable: true },
      URL: { get: () => (memoizedUrl ??= new URL(origin + pathAndQuery(request))), configurable: true },
    });
    await next();
  };
}

// The request target without any scheme and authority the client put in it.
function pathAndQuery(request: Request): string {
  const target = request.originalUrl;
  if (!ABSOLUTE_FORM.test(target)) return target;
  const url = new URL(target);
  return url.pathname + url.search;
}
