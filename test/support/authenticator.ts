// A software WebAuthn authenticator for tests below the browser: makes ES256 passkeys and answers
// registration and authentication ceremonies as a real one would (attestation "none", a signature
// counter, user presence and verification flags), with any origin a test wants to forge.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

interface Options {
  challenge: string;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly key: KeyObject;
  private readonly publicKey: { x: Buffer; y: Buffer };
  private count = 0;

  constructor(
    private readonly rpId: string,
    /** A synced passkey (BE/BS flags) or a device-bound one. */
    private readonly synced = false,
  ) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = pair.privateKey;
    const jwk = pair.publicKey.export({ format: 'jwk' });
    this.publicKey = { x: Buffer.from(jwk.x!, 'base64url'), y: Buffer.from(jwk.y!, 'base64url') };
  }

  get id(): string {
    return b64(this.credentialId);
  }

  /** The answer to navigator.credentials.create(), as @simplewebauthn/browser would post it. */
  register(options: Options, origin: string): string {
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false }),
    );
    const cose = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, this.publicKey.x],
      [-3, this.publicKey.y],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, Buffer.from(isoCBOR.encode(cose))]);
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
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.key);
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
