// A SaaS backend checks the access tokens Tessera issues for its API (docs/apis.md walks through it).
// server/resources/resource-server.test.ts runs this very file against a running Tessera.
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';

export interface TenantClaim {
  tenant_id: string;
  tenant_name: string;
  roles: string[];
}

/** The claims of an access token for your API (RFC 9068, plus Tessera's tenant claims). */
export interface AccessToken extends JWTPayload {
  client_id: string;
  scope?: string;
  active_tenant?: TenantClaim;
  all_tenants?: TenantClaim[];
  cnf?: { jkt?: string };
}

/** Why a request is refused: 401 (no valid token) or 403 (a valid token without the permission). */
export class Refused extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly error: 'invalid_token' | 'insufficient_scope',
    message: string,
  ) {
    super(message);
  }
}

export function tokenChecker({ issuer, audience }: { issuer: string; audience: string }) {
  // Fetched once, cached, and fetched again when a token names a key it has not seen (key rotation).
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));

  /** The token's claims if it is valid for this API and carries `permission`; otherwise throws Refused. */
  return async function check(authorization: string | undefined, permission: string): Promise<AccessToken> {
    const token = /^Bearer ([\w.~+/-]+=*)$/.exec(authorization ?? '')?.[1];
    if (!token) throw new Refused(401, 'invalid_token', 'a bearer token is required');
    let claims: AccessToken;
    try {
      ({ payload: claims } = await jwtVerify<AccessToken>(token, jwks, {
        issuer, // who signed it
        audience, // for your API, not another one
        typ: 'at+jwt', // an access token, not an ID token
        algorithms: ['ES256', 'RS256'],
      }));
    } catch (error) {
      const why = error instanceof errors.JWTExpired ? 'the token has expired' : 'the token is not valid here';
      throw new Refused(401, 'invalid_token', why);
    }
    // A DPoP-bound token needs a proof of its key; this backend takes plain bearer tokens only.
    if (claims.cnf?.jkt) throw new Refused(401, 'invalid_token', 'a key-bound token needs DPoP');
    if (!claims.scope?.split(' ').includes(permission))
      throw new Refused(403, 'insufficient_scope', `the token lacks ${permission}`);
    return claims;
  };
}
