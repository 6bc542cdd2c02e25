// Secrets Tessera must read back (connections' client secrets, authenticator-app keys, webhook signing
// secrets) are sealed at rest with AES-256-GCM, so a copy of the database alone does not hand them out.
// One setting, SECRET_ENCRYPTION_KEYS, newest first: the first key seals, every key opens, so keys rotate by
// putting a new one first. Each purpose gets its own key (HKDF), and a sealed value names the key that sealed
// it and may be bound to its row (AES-GCM additional data), so a value copied onto another row does not open.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import { Secret } from '../db/entities/index.js';

const VERSION = 'v1';
const TAG_BYTES = 16;
/** The key generated at first start when SECRET_ENCRYPTION_KEYS is unset (development). */
const GENERATED = 'secret_encryption_key';

export type SealingPurpose = 'connection-secrets' | 'totp-keys' | 'webhook-secrets';

interface Key {
  id: string;
  key: Buffer;
}

function derive(material: string, purpose: SealingPurpose): Key {
  const key = Buffer.from(hkdfSync('sha256', material, 'tessera', purpose, 32));
  return { id: createHash('sha256').update(key).digest('base64url').slice(0, 8), key };
}

export class SecretBox {
  private readonly keys: Key[];

  constructor(materials: string[], purpose: SealingPurpose) {
    if (!materials.length) throw new Error('a SecretBox needs at least one key');
    this.keys = materials.map((m) => derive(m, purpose));
  }

  /** `v1.<key id>.<iv>.<ciphertext and tag>`, base64url; `boundTo` (a row's id) must be given again to open it. */
  seal(plain: string, boundTo = ''): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(boundTo));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, id, iv.toString('base64url'), sealed.toString('base64url')].join('.');
  }

  open(sealed: string, boundTo = ''): string {
    const [version, id, iv, data] = sealed.split('.');
    const key = this.keys.find((k) => k.id === id);
    if (version !== VERSION || !key || !iv || !data)
      throw new Error('this secret was sealed with a key that is not configured (SECRET_ENCRYPTION_KEYS)');
    const bytes = Buffer.from(data, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'))
      .setAAD(Buffer.from(boundTo))
      .setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  }
}

/**
 * A key for another use than sealing (keying the hash of one-time codes), from the newest key and never
 * equal to a sealing key. It changes when the keys rotate: fine for what lives minutes, not for what lasts.
 */
export function derivedKey(materials: string[], purpose: 'one-time-codes'): Buffer {
  if (!materials.length) throw new Error('a derived key needs at least one key');
  return Buffer.from(hkdfSync('sha256', materials[0]!, 'tessera', `derived:${purpose}`, 32));
}

/**
 * The keys for this server: the configured ones, or else one generated once and kept in the database (so
 * development needs no setting; production configures its own, kept outside the database). A key generated
 * before the setting was made still opens what it sealed, and never seals again.
 */
export async function loadSealingKeys(db: Database, configured: string[] | undefined): Promise<string[]> {
  if (configured?.length) {
    const earlier = await db.read((m) => m.findOneBy(Secret, { name: GENERATED }));
    return earlier ? [...configured, earlier.value] : configured;
  }
  const generated = await db.withLock('secrets', async (m) => {
    const existing = await m.findOneBy(Secret, { name: GENERATED });
    if (existing) return existing.value;
    const value = randomBytes(32).toString('base64url');
    await m.insert(Secret, { name: GENERATED, value, createdAt: new Date() });
    return value;
  });
  return [generated];
}
