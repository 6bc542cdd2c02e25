// Types for the two oidc-provider modules that oidc/tenant-refresh.ts re-registers the refresh grant with.
// They are not part of its public API: tenant-refresh's tests fail if an upgrade moves them.
declare module 'oidc-provider/lib/actions/grants/refresh_token.js' {
  import type Provider from 'oidc-provider';
  import type { KoaContextWithOIDC } from 'oidc-provider';
  export const handler: (provider: Provider, helpers: unknown, ctx: KoaContextWithOIDC) => Promise<void>;
  export const parameters: Set<string>;
  export const grantType: string;
}

declare module 'oidc-provider/lib/helpers/grants.js' {
  const helpers: Record<string, (...args: unknown[]) => unknown>;
  export = helpers;
}
