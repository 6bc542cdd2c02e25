// Endpoint secrets at rest: AES-256-GCM under a key derived from configuration (WEBHOOK_ENCRYPTION_KEYS),
// bound to the endpoint's id, so a database dump alone does not reveal them and a sealed secret copied
// onto another endpoint does not open.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import { Secret } from '../db/entities/index.js';

const VERSION = 'v1';
const GENERATED = 'webhook_encryption_key';

interface Key {
  id: string;
  key: Buffer;
}

function derive(material: string): Key {
  const key = Buffer.from(hkdfSync('sha256', material, 'tessera', 'webhook endpoint secrets', 32));
  return { id: createHash('sha256').update(key).digest('base64url').slice(0, 8), key };
}

/** Seals with the first key; opens with whichever key sealed (so the key can be rotated: new first, old after). */
export class SecretBox {
  private readonly keys: Key[];

  constructor(materials: string[]) {
    if (!materials.length) throw new Error('a SecretBox needs at least one key');
    this.keys = materials.map(derive);
  }

  seal(plain: string, boundTo: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(boundTo));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, id, iv.toString('base64url'), sealed.toString('base64url')].join('.');
  }

  open(sealed: string, boundTo: string): string {
    const [version, id, iv, data] = sealed.split('.');
    const key = this.keys.find((k) => k.id === id);
    if (version !== VERSION || !key || !iv || !data)
      throw new Error('this secret was sealed with a key that is not configured (WEBHOOK_ENCRYPTION_KEYS)');
    const bytes = Buffer.from(data, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'))
      .setAAD(Buffer.from(boundTo))
      .setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
  }
}

/**
 * The box for this server: the configured keys, or else one key generated once and kept in the database
 * (so development needs no setting; production should configure its own, kept outside the database).
 */
export async function loadSecretBox(db: Database, configured: string[] | undefined): Promise<SecretBox> {
  if (configured?.length) {
    // A key generated before WEBHOOK_ENCRYPTION_KEYS was set still opens what it sealed (never seals again).
    const earlier = await db.read((m) => m.findOneBy(Secret, { name: GENERATED }));
    return new SecretBox(earlier ? [...configured, earlier.value] : configured);
  }
  const generated = await db.withLock('secrets', async (m) => {
    const existing = await m.findOneBy(Secret, { name: GENERATED });
    if (existing) return existing.value;
    const value = randomBytes(32).toString('base64url');
    await m.insert(Secret, { name: GENERATED, value, createdAt: new Date() });
    return value;
  });
  return new SecretBox([generated]);
}
