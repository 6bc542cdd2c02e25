// Authenticates Management API callers from the JWT access tokens Tessera issued for `<issuer>/api`.
// The token says who is calling; what they may do is read from the database at every request.
import jwt from 'jsonwebtoken';
import type { AccountService } from '../accounts/service.js';
import type { Database } from '../db/database.js';
import { Unauthorized } from '../errors.js';
import type { Caller } from '../tenants/access.js';
import { clientFlags } from './clients.js';
import type { KeySet } from '../keys/keys.js';
import { apiResource } from './provider.js';

export type Authenticate = (authorization: string | undefined) => Promise<Caller>;

interface AccessTokenClaims {
  sub: string;
  client_id: string;
  scope?: string;
}

const invalid = (why: string) => new Unauthorized(why, 'invalid_token');

export function createApiAuthenticator({ issuer, keys, db, accounts }: { issuer: string; keys: KeySet; db: Database; accounts: AccountService }): Authenticate {
  const audience = apiResource(issuer);

  function verify(token: string): AccessTokenClaims {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw invalid('The bearer token is not a JWT.');
    const { typ, kid, alg } = decoded.header;
    if (typeof typ !== 'string' || !/^(application\/)?at\+jwt$/i.test(typ)) throw invalid('The bearer token is not an access token (typ at+jwt).');
    const key = kid ? keys.byKid(kid) : undefined;
    if (!key || key.alg !== alg) throw invalid('The bearer token is not signed by a key of this server.');
    try {
      return jwt.verify(token, key.publicKey, { algorithms: [key.alg], issuer, audience, clockTolerance: 5 }) as AccessTokenClaims;
    } catch (error) {
      throw invalid(error instanceof jwt.TokenExpiredError ? 'The bearer token has expired.' : 'The bearer token is not valid for this API.');
    }
  }

  return async (authorization) => {
    const token = /^Bearer ([\w.~+/-]+=*)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new Unauthorized('A bearer access token for this API is required.', 'invalid_token');
    const claims = verify(token);
    const scopes = new Set((claims.scope ?? '').split(' ').filter(Boolean));
    // Every token, a person's too, dies with the client it was issued to (clients:delete), not at its expiry.
    const flags = await clientFlags(db, claims.client_id);
    if (!flags) throw invalid('The client of this token no longer exists.');
    if (claims.sub === claims.client_id) {
      return { kind: 'client', clientId: claims.client_id, manage: flags.tenantsManage && scopes.has('tenants:manage') };
    }
    const account = await accounts.findById(claims.sub);
    if (!account || account.disabledAt) throw invalid('The account of this token no longer exists or is disabled.');
    return { kind: 'user', accountId: account.id, scopes };
  };
}
