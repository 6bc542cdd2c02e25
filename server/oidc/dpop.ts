// Verifies DPoP proofs (RFC 9449) for the Management API: a key-bound token is accepted only
// with a fresh proof, signed by the key it is bound to, for this very request.
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, errors as joseErrors, type JWTPayload, jwtVerify } from 'jose';
import { Unauthorized } from '../errors.js';
import type { DpopReplayStore } from './dpop-replay.js';

/**
 * The proof algorithms accepted, all asymmetric. The provider advertises exactly this list in its
 * discovery (`dpop_signing_alg_values_supported`) and uses it at the token endpoint too.
 */
export const DPOP_ALGS = ['ES256', 'Ed25519', 'EdDSA'] as const;

/** How far a proof's `iat` may be from our clock, either way; a proof's jti is remembered this long. */
export const DPOP_IAT_WINDOW_SECONDS = 60;

/** RFC 9449 §7.1: a DPoP challenge names the error and the algorithms we take. */
export function dpopUnauthorized(
  description: string,
  code: 'invalid_dpop_proof' | 'invalid_token' = 'invalid_dpop_proof',
): Unauthorized {
  return new Unauthorized(description, code, {
    headers: { 'WWW-Authenticate': `DPoP error="${code}", algs="${DPOP_ALGS.join(' ')}"` },
  });
}

export interface DpopRequest {
  /** The `DPoP` request header (several headers arrive joined by commas and fail as a JWS). */
  proof: string | undefined;
  method: string;
  /** The request's URL built from ISSUER and the path, never from the Host header. */
  url: string;
  accessToken: string;
  /** The token's `cnf.jkt`: the thumbprint of the key it is bound to. */
  jkt: string;
}

interface ProofClaims extends JWTPayload {
  htm?: unknown;
  htu?: unknown;
  ath?: unknown;
}

export class DpopVerifier {
  constructor(
    private readonly replays: DpopReplayStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Throws a 401 with a DPoP challenge unless the proof is valid for this request and this token. */
  async verify(request: DpopRequest): Promise<void> {
    if (!request.proof) throw dpopUnauthorized('A DPoP-bound token needs a DPoP proof header.');
    const { payload, protectedHeader } = await this.verifySignature(request.proof);
    const { htm, htu, ath, jti } = payload;
    const iat = payload.iat as number; // required, and a number: jose checked both
    if (htm !== request.method) throw dpopUnauthorized('The DPoP proof is for another HTTP method (htm).');
    if (!sameResource(htu, request.url)) throw dpopUnauthorized('The DPoP proof is for another URL (htu).');
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    if (Math.abs(nowSeconds - iat) > DPOP_IAT_WINDOW_SECONDS)
      throw dpopUnauthorized('The DPoP proof is not fresh (iat).');
    if (ath !== createHash('sha256').update(request.accessToken).digest('base64url'))
      throw dpopUnauthorized('The DPoP proof is for another access token (ath).');
    // The header's jwk is what the signature was checked with; its thumbprint must be the token's binding.
    if ((await calculateJwkThumbprint(protectedHeader.jwk!)) !== request.jkt)
      throw dpopUnauthorized('The DPoP proof is not signed by the key this token is bound to.');
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256)
      throw dpopUnauthorized('The DPoP proof needs a jti.');
    // Remembered until the proof could no longer pass the iat check anyway.
    const keepUntil = new Date((iat + DPOP_IAT_WINDOW_SECONDS + 1) * 1000);
    if (!(await this.replays.firstUse(request.jkt, jti, keepUntil)))
      throw dpopUnauthorized('The DPoP proof was used before (jti).');
  }

  /** Signature by the embedded public key, `typ` dpop+jwt, an allowed algorithm, the claims present. */
  private async verifySignature(proof: string) {
    try {
      return await jwtVerify<ProofClaims>(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: [...DPOP_ALGS],
        requiredClaims: ['htm', 'htu', 'iat', 'jti'],
        currentDate: this.now(),
      });
    } catch (error) {
      // Everything here is the caller's input: a jwk WebCrypto cannot import fails with a DOMException,
      // not a JOSEError, and is as much a bad proof as a bad signature. jose's own reasons name only fields.
      const reason = error instanceof joseErrors.JOSEError ? ` (${error.message})` : '';
      throw dpopUnauthorized(
        `The DPoP proof is not a dpop+jwt signed with an allowed algorithm by the public key in its jwk header${reason}.`,
      );
    }
  }
}

// RFC 9449 §4.3: htu is compared without its query and fragment, after URL normalisation.
function sameResource(htu: unknown, url: string): boolean {
  if (typeof htu !== 'string') return false;
  const claimed = URL.parse(htu);
  if (!claimed) return false;
  claimed.search = '';
  claimed.hash = '';
  return claimed.href === new URL(url).href;
}
