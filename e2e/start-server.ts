// Starts Tessera for the browser tests on a fresh SQLite file in a new temporary folder, and
// removes the folder when the server stops. Playwright's webServer runs this (see playwright.config.ts).
//   node --import tsx e2e/start-server.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const port = process.env.E2E_PORT ?? '3901';
const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
const root = fileURLToPath(new URL('..', import.meta.url));

const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_ENV: 'test',
    PORT: port,
    HOST: '127.0.0.1',
    ISSUER: `http://127.0.0.1:${port}`,
    DATABASE_URL: `sqlite:${join(dir, 'tessera.sqlite')}`,
    DEMO: 'true',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_ITERATIONS: '1',
    // The whole suite signs in from one address; keep the per-IP limit out of the way.
    RATE_LIMIT_IP: '1000',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  },
});

const cleanUp = () => rmSync(dir, { recursive: true, force: true });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}
child.on('exit', (code, signal) => {
  cleanUp();
  process.exit(code ?? (signal ? 0 : 1));
});
