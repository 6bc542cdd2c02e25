// The CLI's operator credential: a client-credentials client flagged `operator`, kept in a file (0600) that
// only whoever may read the data directory can read, the same people who could read the database itself.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { clientFlags, createClient, deleteClient } from '../oidc/clients.js';

const CliCredential = z.object({ client_id: z.string(), client_secret: z.string() });
export type CliCredential = z.output<typeof CliCredential>;

/** The stored credential, or undefined when there is none (or it is unreadable). */
export function readCliCredential(file: string): CliCredential | undefined {
  try {
    return CliCredential.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

function writeCliCredential(file: string, credential: CliCredential): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
}

/**
 * Makes a new CLI client and stores it, deleting the one the file named before (its secret may have leaked
 * with an old copy of the file). Returns the new client's id.
 */
export async function setUpCliCredential(db: Database, file: string, by = 'cli'): Promise<string> {
  const previous = readCliCredential(file);
  const { id, secret } = await createClient(
    db,
    {
      id: `tessera-cli-${randomBytes(6).toString('hex')}`,
      name: 'Tessera CLI',
      redirectUris: [],
      grantTypes: ['client_credentials'],
      operator: true,
    },
    by,
  );
  writeCliCredential(file, { client_id: id, client_secret: secret! });
  if (previous && previous.client_id !== id) await deleteClient(db, previous.client_id, by);
  return id;
}

/** At a start on the embedded database: the CLI's credential exists and still names an operator client. */
export async function ensureCliCredential(db: Database, file: string): Promise<'kept' | 'created'> {
  return db.withLock('cli-credential', async () => {
    const stored = readCliCredential(file);
    if (stored && (await clientFlags(db, stored.client_id))?.operator) return 'kept';
    await setUpCliCredential(db, file, 'server');
    return 'created';
  });
}
