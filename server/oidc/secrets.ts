// Cookie signing keys: from COOKIE_SECRETS, else generated once and shared through the database.
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import { Secret } from '../db/entities/index.js';

const COOKIE_KEYS = 'cookie_keys';

export async function loadCookieKeys(db: Database, configured: string[] | undefined): Promise<string[]> {
  if (configured?.length) return configured;
  return db.withLock('secrets', async (m) => {
    const existing = await m.findOneBy(Secret, { name: COOKIE_KEYS });
    if (existing) return JSON.parse(existing.value) as string[];
    const keys = [randomBytes(32).toString('base64url')];
    await m.insert(Secret, { name: COOKIE_KEYS, value: JSON.stringify(keys), createdAt: new Date() });
    return keys;
  });
}
