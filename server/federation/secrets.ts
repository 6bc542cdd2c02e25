// Connection secrets at rest: AES-256-GCM with keys from configuration (CONNECTION_SECRET_KEYS, else the
// cookie keys). The newest key encrypts; every key decrypts, so keys rotate by putting a new one first.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export class SecretBox {
  private readonly keys: Buffer[];

  constructor(material: string[]) {
    if (!material.length) throw new Error('SecretBox needs at least one key');
    // Each configured string becomes a 256-bit key of its own purpose, so a cookie key is never used as-is.
    this.keys = material.map((m) => Buffer.from(hkdfSync('sha256', m, 'tessera', 'connection-secrets', 32)));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed connection secret');
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        // Sealed with another key (or tampered with): try the next one.
      }
    }
    throw new Error('the connection secret cannot be opened with any configured key');
  }
}
