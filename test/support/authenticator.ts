// A software WebAuthn authenticator for tests below the browser: makes ES256 passkeys (or ML-DSA-44 ones,
// where node:crypto has ML-DSA, from Node 24) and answers
// registration and authentication ceremonies as a real one would (attestation "none", a signature
// counter, user presence and verification flags), with any origin a test wants to forge.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

interface Options {
  challenge: string;
}

/** COSE key types and algorithms (RFC 9053; AKP and ML-DSA-44 from the COSE post-quantum drafts). */
const COSE = { kty: 1, alg: 3, ec2: { crv: -1, x: -2, y: -3 }, akp: { pub: -1 } } as const;
const ALGORITHMS = {
  ES256: { kty: 2, alg: -7, keyType: 'ec', digest: 'sha256' },
  'ML-DSA-44': { kty: 7, alg: -48, keyType: 'ml-dsa-44', digest: null },
} as const;
export type PasskeyAlgorithm = keyof typeof ALGORITHMS;

/** Whether this Node can make ML-DSA keys (Node 24 and later). */
export function hasMlDsa(): boolean {
  try {
    generateKeyPairSync('ml-dsa-44' as never);
    return true;
  } catch {
    return false;
  }
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly key: KeyObject;
  private readonly cose: Map<number, number | Uint8Array>;
  private count = 0;

  constructor(
    private readonly rpId: string,
    /** A synced passkey (BE/BS flags) or a device-bound one. */
    private readonly synced = false,
    private readonly algorithm: PasskeyAlgorithm = 'ES256',
  ) {
    const { kty, alg, keyType } = ALGORITHMS[algorithm];
    const pair =
      keyType === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync(keyType as never);
    this.key = pair.privateKey;
    const jwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, string>;
    const raw = (name: string) => Buffer.from(jwk[name]!, 'base64url');
    const params: [number, number | Uint8Array][] =
      keyType === 'ec'
        ? [
            [COSE.ec2.crv, 1],
            [COSE.ec2.x, raw('x')],
            [COSE.ec2.y, raw('y')],
          ]
        : [[COSE.akp.pub, raw('pub')]];
    this.cose = new Map([[COSE.kty, kty], [COSE.alg, alg], ...params]);
  }

  get id(): string {
    return b64(this.credentialId);
  }

  /** The answer to navigator.credentials.create(), as @simplewebauthn/browser would post it. */
  register(options: Options, origin: string): string {
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false }),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([
      Buffer.alloc(16),
      idLength,
      this.credentialId,
      Buffer.from(isoCBOR.encode(this.cose)),
    ]);
    const authData = Buffer.concat([this.authData(0x40), attested]);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]) as never,
    );
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64(clientDataJSON),
        attestationObject: b64(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
    });
  }

  /** The answer to navigator.credentials.get(); `counter` forces a signature count (replayed or stale). */
  authenticate(options: Options, origin: string, { counter }: { counter?: number } = {}): string {
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin }));
    const authData = this.authData(0, counter);
    const signature = sign(
      ALGORITHMS[this.algorithm].digest,
      Buffer.concat([authData, sha256(clientDataJSON)]),
      this.key,
    );
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64(clientDataJSON),
        authenticatorData: b64(authData),
        signature: b64(signature),
      },
      clientExtensionResults: {},
    });
  }

  /** rpIdHash, flags (user present and verified, plus `extra`), the signature counter. */
  private authData(extra: number, counter?: number): Buffer {
    this.count = counter ?? this.count + 1;
    const flags = Buffer.from([0x01 | 0x04 | extra | (this.synced ? 0x08 | 0x10 : 0)]);
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.count);
    return Buffer.concat([sha256(this.rpId), flags, count]);
  }
}
