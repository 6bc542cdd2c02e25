// Signing keys: generated on first start, kept in the database, rotated in phases.
// Every status is published in the JWKS; only `current` signs, so instances mid-rotation agree.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { In } from 'typeorm';
import type { Database } from '../db/database.js';
import { SigningKey } from '../db/entities/index.js';

export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** How long a previous key stays published: the longest-lived JWT Tessera signs (invitations, 30 days). */
export const PREVIOUS_KEY_RETENTION_MS = 31 * 24 * 3600 * 1000;

export interface PublishedKey {
  kid: string;
  alg: SigningAlg;
  status: SigningKey['status'];
  privateJwk: JsonWebKey;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** The keys one instance loaded at start; KeyObjects are cached because parsing PEM/JWK per call is 8x slower. */
export class KeySet {
  constructor(readonly keys: PublishedKey[]) {}

  /** The current signing key for an algorithm. */
  signing(alg: SigningAlg = 'ES256'): PublishedKey {
    const key = this.keys.find((k) => k.alg === alg && k.status === 'current');
    if (!key) throw new Error(`No current ${alg} signing key`);
    return key;
  }

  /** Any published key by kid, for verification. */
  byKid(kid: string): PublishedKey | undefined {
    return this.keys.find((k) => k.kid === kid);
  }

  /** The JWKS for oidc-provider: current keys first and signing; the others verify only. */
  providerJwks(): { keys: JsonWebKey[] } {
    const order = { current: 0, next: 1, previous: 2 } as const;
    const sorted = [...this.keys].sort((a, b) => order[a.status] - order[b.status]);
    return {
      keys: sorted.map((k) => ({
        ...k.privateJwk,
        kid: k.kid,
        alg: k.alg,
        use: 'sig',
        ...(k.status === 'current' ? {} : { key_ops: ['verify'] }),
      })),
    };
  }
}

function generateJwk(alg: SigningAlg): JsonWebKey {
  const { privateKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ format: 'jwk' });
}

function newKey(alg: SigningAlg, status: SigningKey['status'], now: Date): SigningKey {
  return Object.assign(new SigningKey(), {
    kid: randomBytes(12).toString('base64url'),
    alg,
    privateJwk: JSON.stringify(generateJwk(alg)),
    status,
    createdAt: now,
    statusChangedAt: now,
  });
}

function toPublished(row: SigningKey): PublishedKey {
  const privateJwk = JSON.parse(row.privateJwk) as JsonWebKey;
  const privateKey = createPrivateKey({ key: privateJwk, format: 'jwk' });
  return {
    kid: row.kid,
    alg: row.alg,
    status: row.status,
    privateJwk,
    privateKey,
    publicKey: createPublicKey(privateKey),
  };
}

/** Makes sure a current key exists for every algorithm (under a lock, so two first starts agree) and loads all. */
export async function loadKeys(db: Database): Promise<KeySet> {
  // Read in the locked transaction: on a cluster, the one that lost runs again and reads the winner's keys.
  const rows = await db.withLock('signing-keys', async (m) => {
    const current = await m.findBy(SigningKey, { status: 'current' });
    const missing = SIGNING_ALGS.filter((alg) => !current.some((k) => k.alg === alg));
    if (missing.length) await m.save(missing.map((alg) => newKey(alg, 'current', new Date())));
    return m.find(SigningKey, { order: { createdAt: 'ASC' } });
  });
  return new KeySet(rows.map(toPublished));
}

export type RotationStep = { step: 'introduced'; kids: string[] } | { step: 'promoted'; kids: string[] };

/**
 * One rotation phase. Without a `next` key: introduce one per algorithm (published, not signing).
 * With one: promote it to `current` and demote `current` to `previous`.
 * Every instance must restart between phases so that all of them publish a key before any signs with it.
 */
export async function rotateKeys(db: Database): Promise<RotationStep> {
  return db.withLock('signing-keys', async (m): Promise<RotationStep> => {
    const now = new Date();
    const next = await m.findBy(SigningKey, { status: 'next' });
    if (next.length === 0) {
      const introduced = SIGNING_ALGS.map((alg) => newKey(alg, 'next', now));
      await m.save(introduced);
      return { step: 'introduced', kids: introduced.map((k) => k.kid) };
    }
    await m.update(SigningKey, { status: 'current' }, { status: 'previous', statusChangedAt: now });
    await m.update(SigningKey, { kid: In(next.map((k) => k.kid)) }, { status: 'current', statusChangedAt: now });
    return { step: 'promoted', kids: next.map((k) => k.kid) };
  });
}

/** Removes previous keys once nothing they signed can still be valid (or all of them with `force`). */
export async function retireKeys(db: Database, { force = false, now = new Date() } = {}): Promise<string[]> {
  return db.transaction(async (m) => {
    const previous = await m.findBy(SigningKey, { status: 'previous' });
    const old = previous.filter(
      (k) => force || now.getTime() - k.statusChangedAt.getTime() > PREVIOUS_KEY_RETENTION_MS,
    );
    if (old.length) await m.delete(SigningKey, { kid: In(old.map((k) => k.kid)) });
    return old.map((k) => k.kid);
  });
}

export async function listKeys(
  db: Database,
): Promise<Pick<SigningKey, 'kid' | 'alg' | 'status' | 'createdAt' | 'statusChangedAt'>[]> {
  const rows = await db.read((m) => m.find(SigningKey, { order: { createdAt: 'ASC' } }));
  return rows.map(({ kid, alg, status, createdAt, statusChangedAt }) => ({
    kid,
    alg,
    status,
    createdAt,
    statusChangedAt,
  }));
}
