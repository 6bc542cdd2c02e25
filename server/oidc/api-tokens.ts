// Authenticates Management API callers from the JWT access tokens Tessera issued for `<issuer>/api`.
// The token says who is calling; what they may do is read from the database at every request.
import jwt from 'jsonwebtoken';
import type { AccountService } from '../accounts/service.js';
import type { Database } from '../db/database.js';
import { Unauthorized } from '../errors.js';
import type { Caller } from '../tenants/access.js';
import { clientFlags } from './clients.js';
import { dpopUnauthorized, type DpopVerifier } from './dpop.js';
import type { KeySet } from '../keys/keys.js';
import { apiResource } from './protocol.js';

/** What authentication needs of an API request. */
export interface ApiRequest {
  authorization: string | undefined;
  /** The `DPoP` header: a proof of possession for a key-bound token. */
  dpop: string | undefined;
  method: string;
  path: string;
}

export type Authenticate = (request: ApiRequest) => Promise<Caller>;

interface AccessTokenClaims {
  sub: string;
  client_id: string;
  scope?: string;
  /** RFC 9449: the thumbprint of the key the token is bound to, when it was issued with a DPoP proof. */
  cnf?: { jkt?: unknown };
}

const invalid = (why: string) => new Unauthorized(why, 'invalid_token');

export function createApiAuthenticator({
  issuer,
  keys,
  db,
  accounts,
  dpop,
}: {
  issuer: string;
  keys: KeySet;
  db: Database;
  accounts: AccountService;
  dpop: DpopVerifier;
}): Authenticate {
  const audience = apiResource(issuer);

  function verify(token: string): AccessTokenClaims {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw invalid('The bearer token is not a JWT.');
    const { typ, kid, alg } = decoded.header;
    if (typeof typ !== 'string' || !/^(application\/)?at\+jwt$/i.test(typ))
      throw invalid('The bearer token is not an access token (typ at+jwt).');
    const key = kid ? keys.byKid(kid) : undefined;
    if (!key || key.alg !== alg) throw invalid('The bearer token is not signed by a key of this server.');
    try {
      return jwt.verify(token, key.publicKey, {
        algorithms: [key.alg],
        issuer,
        audience,
        clockTolerance: 5,
      }) as AccessTokenClaims;
    } catch (error) {
      throw invalid(
        error instanceof jwt.TokenExpiredError
          ? 'The bearer token has expired.'
          : 'The bearer token is not valid for this API.',
      );
    }
  }

  /**
   * A key-bound token is accepted only as `DPoP` with a valid proof, never as `Bearer` (whoever
   * copied it would not hold the key); a token that is not bound has no business with `DPoP`.
   */
  async function checkBinding(
    scheme: 'bearer' | 'dpop',
    token: string,
    claims: AccessTokenClaims,
    request: ApiRequest,
  ): Promise<void> {
    const jkt = claims.cnf?.jkt;
    if (scheme === 'bearer') {
      if (jkt !== undefined)
        throw dpopUnauthorized(
          'This token is bound to a key: send it as Authorization: DPoP, with a DPoP proof.',
          'invalid_token',
        );
      return;
    }
    if (typeof jkt !== 'string')
      throw dpopUnauthorized('This token is not bound to a key: send it as Authorization: Bearer.', 'invalid_token');
    // The URL the client was meant to call: ISSUER, never the Host header, and the path without the query.
    await dpop.verify({
      proof: request.dpop,
      method: request.method,
      url: `${issuer}${request.path}`,
      accessToken: token,
      jkt,
    });
  }

  return async (request) => {
    const [, scheme, token] = /^(Bearer|DPoP) ([\w.~+/-]+=*)$/i.exec(request.authorization ?? '') ?? [];
    if (!scheme || !token) throw new Unauthorized('A bearer access token for this API is required.', 'invalid_token');
    const claims = verify(token);
    await checkBinding(scheme.toLowerCase() === 'dpop' ? 'dpop' : 'bearer', token, claims, request);
    const scopes = new Set((claims.scope ?? '').split(' ').filter(Boolean));
    // Every token, a person's too, dies with the client it was issued to (clients:delete), not at its expiry.
    const flags = await clientFlags(db, claims.client_id);
    if (!flags) throw invalid('The client of this token no longer exists.');
    if (claims.sub === claims.client_id) {
      return {
        kind: 'client',
        clientId: claims.client_id,
        manage: flags.tenantsManage && scopes.has('tenants:manage'),
        scopes,
      };
    }
    const account = await accounts.findById(claims.sub);
    if (!account || account.disabledAt) throw invalid('The account of this token no longer exists or is disabled.');
    return { kind: 'user', accountId: account.id, scopes, clientId: claims.client_id };
  };
}
