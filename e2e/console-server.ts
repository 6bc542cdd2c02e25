// A Tessera of its own for e2e/admin-console.spec.ts, seeded like the main one but with an operator from the
// start (E2E_SEED_OPERATOR=true): the main server must have none, for e2e/operators.spec.ts's setup link.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Seed, seedFile } from './seed-data.js';

/** Beside the main server's port, so parallel runs with their own E2E_PORT stay apart. */
export const CONSOLE_PORT = Number(process.env.E2E_PORT ?? 3901) + 1000;
export const CONSOLE_URL = `http://localhost:${CONSOLE_PORT}`;

export interface ConsoleServer {
  seed: Seed;
  stop(): Promise<void>;
}

export function startConsoleServer(): Promise<ConsoleServer> {
  return startSeededServer(CONSOLE_PORT, { E2E_SEED_OPERATOR: 'true' });
}

/** Another seeded Tessera on `port` (e2e/start-server.ts), with `env` on top of this process's environment. */
export async function startSeededServer(port: number, env: Record<string, string>): Promise<ConsoleServer> {
  const url = `http://localhost:${port}`;
  const dir = join(tmpdir(), `tessera-e2e-${port}-${randomUUID()}`);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'e2e/start-server.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, ...env, E2E_PORT: String(port), E2E_DIR: dir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 80_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server on ${port} stopped before it was ready`);
    const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    if (ready?.ok) return { seed: JSON.parse(readFileSync(seedFile(dir), 'utf8')) as Seed, stop };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop();
  throw new Error(`the server on ${port} was not ready within 80 s`);
}
