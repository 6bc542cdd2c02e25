// A production install: the tree as the Dockerfile and docs/operations.md ship it (package.json, the
// lock file, scripts/prepare.js and a compiled dist/), installed with `npm ci --omit=dev` in a folder
// of its own, so neither TypeScript nor tsx is anywhere on its module path. The server and the admin
// CLI must run from it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fetchWithin, ProcessWatch, runWithin } from './support/waits.js';

const root = new URL('..', import.meta.url).pathname;
const MINUTE = 60_000;

/** Copies the files a production tree consists of, without dist/. */
function shipSources(dir: string): void {
  for (const file of ['package.json', 'package-lock.json', 'scripts/prepare.js'])
    cpSync(join(root, file), join(dir, file));
}

describe('a production install (npm ci --omit=dev on a built tree)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let installed: { stdout: string; stderr: string };
  const processes: ProcessWatch[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-production-'));
    mkdirSync(join(dir, 'data'));
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: `sqlite:${join(dir, 'data', 'db.sqlite')}`,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_ITERATIONS: '1',
    };
    shipSources(dir);
    // Built here, from the current sources, as `npm run build` does it (dist/ in the work tree may be stale).
    await runWithin(3 * MINUTE, process.execPath, [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      join(dir, 'dist'),
    ]);
    for (const folder of ['views', 'public'])
      cpSync(join(root, folder), join(dir, 'dist', folder), { recursive: true });
    installed = await runWithin(
      5 * MINUTE,
      'npm',
      ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'],
      { cwd: dir, env },
    );
  });
  after(() => {
    for (const { child } of processes) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('npm ci --omit=dev keeps the existing build and installs neither TypeScript nor tsx', () => {
    assert.match(installed.stdout, /using the existing build in dist\//);
    assert.equal(existsSync(join(dir, 'node_modules/typescript')), false);
    assert.equal(existsSync(join(dir, 'node_modules/tsx')), false);
  });

  test('npm run tessera runs the compiled CLI: it lists its commands, creates and lists a client', async () => {
    const tessera = (...args: string[]) =>
      runWithin(MINUTE, 'npm', ['run', '--silent', 'tessera', '--', ...args], { cwd: dir, env });
    assert.match((await tessera('--help')).stdout, /clients:create/);
    assert.match(
      (await tessera('clients:create', '--name', 'Billing', '--id', 'billing', '--grant', 'client_credentials')).stdout,
      /client_secret: \S+/,
    );
    assert.match((await tessera('clients:list')).stdout, /billing {2}"Billing"/);
  });

  test('the compiled server (npm start) serves from the build and stops on SIGTERM', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const server = new ProcessWatch(
      spawn(process.execPath, ['dist/server/main.js'], {
        cwd: dir,
        env: { ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'info' },
      }),
      'the server',
    );
    processes.push(server);
    await server.waitForOutput(/Tessera is ready/, MINUTE);
    assert.equal((await fetchWithin(`http://127.0.0.1:${port}/readyz`)).status, 200);
    server.child.kill('SIGTERM');
    assert.equal(await server.waitForExit(30_000), 0);
  });

  test('without a build, the production install stops with a message saying how to build', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'tessera-unbuilt-'));
    try {
      shipSources(bare);
      await assert.rejects(
        runWithin(MINUTE, process.execPath, ['scripts/prepare.js'], { cwd: bare, env }),
        (error: { code: number; stderr: string }) => {
          assert.equal(error.code, 1);
          assert.match(error.stderr, /Tessera is not built[\s\S]*npm ci && npm run build/);
          return true;
        },
      );
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
