// Encrypts the secrets Tessera must read back (TOTP keys) with AES-256-GCM, so a copy of the database alone
// does not hand them out. The key comes from FACTORS_ENCRYPTION_KEY; without it, one is generated on first
// start and kept in the `secrets` table (good for development; production sets its own: docs/configuration.md).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import { Secret } from '../db/entities/index.js';

const VERSION = 'v1';
const KEY_NAME = 'factors_encryption_key';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the factors encryption key must be 32 bytes');
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url: the version lets a later key or cipher sit beside this one. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** A key for another use (e.g. hashing one-time codes), derived so that it never equals the sealing key. */
  derive(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `tessera:${purpose}`, 32));
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** The configured key, or the one generated once and shared by every instance through the database. */
export async function loadSecretBox(db: Database, configured: Buffer | undefined): Promise<SecretBox> {
  if (configured) return new SecretBox(configured);
  const stored = await db.withLock('secrets', async (m) => {
    const existing = await m.findOneBy(Secret, { name: KEY_NAME });
    if (existing) return existing.value;
    const value = randomBytes(32).toString('base64url');
    await m.insert(Secret, { name: KEY_NAME, value, createdAt: new Date() });
    return value;
  });
  return new SecretBox(Buffer.from(stored, 'base64url'));
}
