// Starts Tessera for the browser tests on a fresh SQLite file in a new temporary folder, seeded with
// the people and tenants of e2e/seed-data.ts, and removes the folder when the server stops.
// Playwright's webServer runs this (see playwright.config.ts, which chooses the folder as E2E_DIR so
// the specs can read <E2E_DIR>/seed.json); on its own it picks a folder itself:
//   node --import tsx e2e/start-server.ts
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSamlIdp } from '../test/support/saml-idp.js';
import { startOidcUpstream } from '../test/support/upstream.js';
import { SEED_TENANT_CONNECTION } from './seed-data.js';

const port = process.env.E2E_PORT ?? '3901';
// A folder of our own: creating E2E_DIR fails if it exists already, so we never remove someone else's files.
const ownFolder = (path: string) => {
  mkdirSync(path);
  return path;
};
const dir = process.env.E2E_DIR ? ownFolder(process.env.E2E_DIR) : mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
const root = fileURLToPath(new URL('..', import.meta.url));
const cleanUp = () => rmSync(dir, { recursive: true, force: true });

// The upstream OpenID provider of e2e/federation.spec.ts, on a free port; e2e/seed.ts connects Tessera to it.
const upstream = await startOidcUpstream(
  ['corp-id', SEED_TENANT_CONNECTION.slug].map((slug) => `http://localhost:${port}/connections/${slug}/callback`),
);
// The SAML IdP of e2e/saml.spec.ts beside it; e2e/seed.ts imports its metadata.
const samlIdp = await startSamlIdp();

const env: NodeJS.ProcessEnv = {
  ...process.env,
  E2E_DIR: dir,
  NODE_ENV: 'test',
  PORT: port,
  HOST: '127.0.0.1',
  // localhost, not 127.0.0.1: WebAuthn needs a domain as the relying party id (an IP address is refused).
  ISSUER: `http://localhost:${port}`,
  DATABASE_URL: `sqlite:${join(dir, 'tessera.sqlite')}`,
  DEMO: 'true',
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_ITERATIONS: '1',
  // The whole suite signs in from one address; keep the per-IP limit out of the way.
  RATE_LIMIT_IP: '1000',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  UPSTREAM_ALLOW_HTTP: 'true',
  // Identity-first, as a deployment whose tenants sign in through their own providers runs (LoginPage goes
  // through both steps; e2e/identity-first.spec.ts routes a domain to a tenant's connection).
  SIGN_IN_IDENTITY_FIRST: 'true',
  E2E_UPSTREAM_URL: upstream.url,
  E2E_UPSTREAM_CLIENT_ID: upstream.clientId,
  E2E_UPSTREAM_CLIENT_SECRET: upstream.clientSecret,
  // As XML: the seed runs while this process waits for it (spawnSync), so the IdP cannot answer then.
  E2E_SAML_METADATA_XML: samlIdp.metadataXml,
};

// The seed opens the database, writes, and closes it before the server takes it (one process at a time).
const seed = spawnSync(process.execPath, ['--import', 'tsx', 'e2e/seed.ts'], { cwd: root, stdio: 'inherit', env });
if (seed.status !== 0) {
  console.error(`e2e/seed.ts failed (${seed.signal ?? `exit code ${seed.status}`}); not starting the server.`);
  cleanUp();
  await upstream.close();
  await samlIdp.close();
  process.exit(1);
}

const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, stdio: 'inherit', env });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}
child.on('exit', async (code, signal) => {
  cleanUp();
  await upstream.close();
  await samlIdp.close();
  process.exit(code ?? (signal ? 0 : 1));
});
