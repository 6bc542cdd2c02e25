// The methods each of the provider's endpoints takes. oidc-provider answers any other method with a
// bare 404; with this table the error handler answers 405 and an Allow header instead.
//
// Mirrors the routes oidc-provider 9 registers (lib/helpers/initialize_app.js) for the features
// Tessera enables, at its default paths (Tessera does not configure `routes`). POST /auth and POST
// /session/end need `enableHttpPostMethods`, which is off. provider-methods.test.ts compares the table
// with the running provider, so a change on either side fails there.

const ENDPOINTS: readonly (readonly [path: string, methods: readonly string[]])[] = [
  ['/auth', ['GET']],
  ['/auth/:uid', ['GET']],
  ['/token', ['POST', 'OPTIONS']],
  ['/me', ['GET', 'POST', 'OPTIONS']],
  ['/jwks', ['GET', 'OPTIONS']],
  ['/.well-known/openid-configuration', ['GET', 'OPTIONS']],
  ['/.well-known/oauth-authorization-server', ['GET', 'OPTIONS']],
  ['/token/introspection', ['POST', 'OPTIONS']],
  ['/token/revocation', ['POST', 'OPTIONS']],
  ['/session/end', ['GET']],
  ['/session/end/confirm', ['POST']],
  ['/session/end/success', ['GET']],
];

/** The provider's endpoints with the methods each takes (HEAD wherever GET is), for tests and the error handler. */
export const PROVIDER_ENDPOINTS = ENDPOINTS.map(([path, methods]) => ({
  path,
  methods: methods.includes('GET') ? ['HEAD', ...methods] : [...methods],
}));

const patterns = PROVIDER_ENDPOINTS.map(({ path, methods }) => ({ segments: path.toLowerCase().split('/'), methods }));
const isParam = (segment: string) => segment.startsWith(':');
/** The endpoints without a parameter, by path, and what the others start with: the lookup every request makes (app.ts). */
const exact = new Map(patterns.filter((p) => !p.segments.some(isParam)).map((p) => [p.segments.join('/'), p.methods]));
const paramPrefixes = patterns
  .filter((p) => p.segments.some(isParam))
  .map((p) => `${p.segments.slice(0, p.segments.findIndex(isParam)).join('/')}/`);

/**
 * The methods the provider takes at `path`, or undefined when it is none of its endpoints. Like the
 * provider's router: letter case does not matter, a trailing slash is ignored, `:param` is any segment.
 */
export function providerMethodsAt(path: string): readonly string[] | undefined {
  const normal = (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).toLowerCase();
  const found = exact.get(normal);
  if (found || !paramPrefixes.some((prefix) => normal.startsWith(prefix))) return found;
  const segments = normal.split('/');
  return patterns.find(
    (p) =>
      p.segments.length === segments.length &&
      p.segments.every((s, i) => (isParam(s) ? segments[i] !== '' : s === segments[i])),
  )?.methods;
}
