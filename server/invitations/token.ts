// Invitation tokens: a compact JWS signed with Tessera's current key, not bound to any account.
// Every path verifies through verifyInvitationToken; the database row decides the rest.
import jwt from 'jsonwebtoken';
import type { Invitation } from '../db/entities/index.js';
import type { KeySet } from '../keys/keys.js';
import { rolesOf } from './status.js';

export const INVITATION_TYP = 'tessera-invitation+jwt';
const ALGORITHMS = ['ES256', 'RS256'] as const;

export interface InvitationClaims {
  /** The invitation's id (the database row). */
  inv: string;
  /** The current token's id; a resend replaces it. */
  jti: string;
  tid: string;
  roles: string[];
  exp: number;
}

export type TokenProblem = 'malformed' | 'invalid' | 'expired';

export class InvitationTokenError extends Error {
  constructor(readonly problem: TokenProblem) {
    super(`invitation token ${problem}`);
  }
}

export function signInvitationToken(keys: KeySet, issuer: string, claims: InvitationClaims): string {
  const key = keys.signing('ES256');
  const { inv, jti, tid, roles, exp } = claims;
  // No `sub` and no personal data: whoever holds the token can read it.
  return jwt.sign({ iss: issuer, aud: issuer, jti, inv, tid, roles, exp }, key.privateKey, {
    algorithm: key.alg,
    keyid: key.kid,
    header: { alg: key.alg, kid: key.kid, typ: INVITATION_TYP },
  });
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64;

/**
 * Verifies signature and claims: algorithm allow-list (no `none`, no HMAC), the `kid` of a key this
 * server publishes with the same algorithm (no key confusion), `typ`, `iss`, `aud`, `exp`.
 */
export function verifyInvitationToken(keys: KeySet, issuer: string, token: string): InvitationClaims {
  if (token.length > 4096) throw new InvitationTokenError('malformed');
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') throw new InvitationTokenError('malformed');
  const { alg, kid, typ } = decoded.header;
  const key = kid ? keys.byKid(kid) : undefined;
  if (typ !== INVITATION_TYP || !(ALGORITHMS as readonly string[]).includes(alg) || !key || key.alg !== alg) {
    throw new InvitationTokenError('invalid');
  }
  let payload: jwt.JwtPayload;
  try {
    payload = jwt.verify(token, key.publicKey, { algorithms: [key.alg], issuer, audience: issuer }) as jwt.JwtPayload;
  } catch (error) {
    throw new InvitationTokenError(error instanceof jwt.TokenExpiredError ? 'expired' : 'invalid');
  }
  const { inv, jti, tid, roles, exp } = payload as Record<string, unknown>;
  if (
    !isString(inv) ||
    !isString(jti) ||
    !isString(tid) ||
    !Array.isArray(roles) ||
    !roles.every(isString) ||
    typeof exp !== 'number'
  ) {
    throw new InvitationTokenError('invalid');
  }
  return { inv, jti, tid, roles: roles as string[], exp };
}

/** A token for the row as it is now: its current jti, tenant, roles and expiry. */
export const tokenForRow = (keys: KeySet, issuer: string, inv: Invitation) =>
  signInvitationToken(keys, issuer, {
    inv: inv.id,
    jti: inv.tokenJti,
    tid: inv.tenantId,
    roles: rolesOf(inv),
    exp: Math.floor(inv.expiresAt.getTime() / 1000),
  });
