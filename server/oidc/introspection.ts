// Introspection of JWT access tokens (RFC 7662): oidc-provider answers them unsupported_token_type, since it keeps
// no record of them. A resource server may still prefer to ask, so Tessera answers like for any other token:
// `active` with the token's claims while its signature, issuer, type and expiry hold and its client exists.
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { KeySet } from '../keys/keys.js';

type Claims = Record<string, unknown>;

async function verified(token: string, keys: KeySet, issuer: string): Promise<Claims | undefined> {
  try {
    const { kid, alg } = decodeProtectedHeader(token);
    const key = kid ? keys.byKid(kid) : undefined;
    if (!key || key.alg !== alg) return undefined;
    const { payload } = await jwtVerify(token, key.publicKey, { issuer, typ: 'at+jwt', algorithms: [key.alg] });
    return payload as Claims;
  } catch {
    return undefined;
  }
}

/** A provider middleware that answers introspection of Tessera's own JWT access tokens instead of refusing it. */
export function introspectJwtAccessTokens(
  keys: KeySet,
  issuer: string,
  /** Read fresh (not the provider's cached client): a deleted client's tokens are inactive at once, as at the API. */
  clientExists: (id: string) => Promise<boolean>,
) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const refused = ctx.body as { error?: string } | undefined;
    if (ctx.oidc?.route !== 'introspection' || ctx.status !== 400 || refused?.error !== 'unsupported_token_type')
      return;
    const caller = ctx.oidc.client;
    const token = ctx.oidc.params?.token;
    if (!caller || typeof token !== 'string') return;
    ctx.status = 200;
    ctx.body = { active: false };
    const claims = await verified(token, keys, issuer);
    if (!claims || typeof claims.client_id !== 'string') return;
    // As for opaque tokens: a public client may introspect only its own tokens.
    if (caller.clientAuthMethod === 'none' && claims.client_id !== caller.clientId) return;
    if (!(await clientExists(claims.client_id))) return;
    const bound = typeof (claims.cnf as { jkt?: unknown } | undefined)?.jkt === 'string';
    ctx.body = { ...claims, active: true, token_type: bound ? 'DPoP' : 'Bearer' };
  };
}
