// Security headers on every response, and no-store for pages that hold secrets.
import type { Context, Middleware } from 'koa';

export interface SecurityHeadersOptions {
  issuer: string;
  /**
   * Where forms may be sent, besides our own origin. Left out, the policy has no `form-action`:
   * after a sign-in form is posted, oidc-provider redirects to the app's redirect_uri, and Chromium
   * applies form-action to every hop of that redirect chain; form_post responses also post straight
   * to the redirect_uri. Those may be any https origin, a loopback http URL or a native app's
   * custom scheme, so a fixed list would break sign-in. A deployment that knows its apps' URIs
   * can pass them here to tighten it.
   */
  formActionSources?: string[];
}

export function securityHeaders(options: SecurityHeadersOptions): Middleware {
  const headers: Record<string, string> = {
    'Content-Security-Policy': contentSecurityPolicy(options.formActionSources),
    'X-Content-Type-Options': 'nosniff',
    // Pages carry tokens in their URLs (invitation links): they must not leak to other sites.
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY', // frame-ancestors for browsers that predate it
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  // HSTS over plain http would be ignored at best, and would lock a local setup out of http at worst.
  // No includeSubDomains: the issuer's subdomains are not ours to decide for.
  if (new URL(options.issuer).protocol === 'https:') headers['Strict-Transport-Security'] = 'max-age=31536000';
  return async (ctx, next) => {
    // Set before the rest runs, so oidc-provider finds script-src and adds the hash of its
    // form_post script to it, and so error responses carry them too.
    ctx.set(headers);
    await next();
  };
}

function contentSecurityPolicy(formActionSources: string[] | undefined): string {
  const directives = [
    "default-src 'self'",
    // Explicit although default-src covers it: oidc-provider only adds its inline script's hash to a
    // script-src directive that already exists.
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ];
  if (formActionSources) directives.push(["form-action 'self'", ...formActionSources].join(' '));
  return directives.join('; ');
}

/** For pages that hold a token or a secret: no browser or proxy may keep a copy. */
export function noStore(ctx: Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache'); // HTTP/1.0 caches
}
