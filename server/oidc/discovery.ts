// What discovery adds to oidc-provider's document: scopes that are not OIDC scopes (the Management API's and the
// public permissions of the apps' APIs), and the prompt values Tessera accepts, its own select_tenant included.
import type { KoaContextWithOIDC } from 'oidc-provider';

/** Discovery's scopes_supported with the Management API's scopes and the public permissions of apps' APIs. */
export function advertiseResourceScopes(extra: () => Promise<string[]>) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    if (ctx.oidc?.route !== 'discovery' || ctx.status !== 200) return;
    const body = ctx.body as { scopes_supported?: string[] };
    body.scopes_supported = [...new Set([...(body.scopes_supported ?? []), ...(await extra())])];
  };
}
