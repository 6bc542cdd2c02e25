// main.ts and cli.ts as real processes: start, ready, refuse bad settings, stop gracefully; admin commands.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unsupportedRuntimeWarning } from '../server/runtime.js';
import { freePort, processEnv } from './support/processes.js';
import { fetchWithin, ProcessWatch, runWithin } from './support/waits.js';

const root = new URL('..', import.meta.url).pathname;

describe('the server and the CLI as processes', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-process-'));
    env = processEnv(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cli = (...args: string[]) =>
    runWithin(60_000, process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: root, env });

  const started: ProcessWatch[] = [];
  // Whatever a failed test left running.
  after(() => {
    for (const { child } of started) child.kill('SIGKILL');
  });
  function start(extra: NodeJS.ProcessEnv): ProcessWatch {
    const watch = new ProcessWatch(
      spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env: { ...env, ...extra } }),
      'the server',
    );
    started.push(watch);
    return watch;
  }

  test('a bad setting stops the start with a message that names the variable', async () => {
    const server = start({ PORT: 'eighty' });
    assert.equal(await server.waitForExit(60_000), 1);
    assert.match(server.output(), /PORT: expected a port number \(got "eighty"\)/);
  });

  test('the server starts, reports its start-up time, serves discovery, and stops gracefully on SIGTERM', async () => {
    const port = await freePort();
    const server = start({ PORT: String(port), HOST: '127.0.0.1' });
    await server.waitForOutput(/Tessera is ready/, 60_000);
    assert.match(server.output(), /"startup_ms":\d+/);
    const warning = unsupportedRuntimeWarning();
    if (warning)
      assert.ok(
        server.output().includes(`"level":"warn"`) && server.output().includes(warning),
        `the start-up log warns: ${warning}`,
      );
    else assert.doesNotMatch(server.output(), /not a supported runtime/, 'no warning on a supported Node.js');
    assert.match(server.output(), /read them with \/dev\/mail or `npm run tessera -- outbox:list`/);
    const discovery = (await (
      await fetchWithin(`http://127.0.0.1:${port}/.well-known/openid-configuration`)
    ).json()) as { issuer: string };
    assert.equal(discovery.issuer, `http://localhost:${port}`);
    // The CLI no longer opens the held SQLite file: it goes through the server (test/cli.test.ts).
    const racing = await runWithin(
      60_000,
      process.execPath,
      ['--import', 'tsx', 'server/cli.ts', 'clients:create', '--name', 'Racing', '--grant', 'client_credentials'],
      { cwd: root, env: { ...env, PORT: String(port) } },
    );
    assert.match(racing.stdout, /client_id:/);
    server.child.kill('SIGTERM');
    assert.equal(await server.waitForExit(30_000), 0);
    assert.match(server.output(), /"msg":"stopped"/);
  });

  test('clients:create prints a secret once; clients:list shows the client but never the secret', async () => {
    const created = await cli(
      'clients:create',
      '--name',
      'Billing',
      '--id',
      'billing',
      '--redirect-uri',
      'https://billing.example/cb',
      '--grant',
      'authorization_code',
      '--grant',
      'refresh_token',
    );
    const secret = /client_secret: (\S+)/.exec(created.stdout)?.[1];
    assert.ok(secret);
    const listed = await cli('clients:list');
    assert.match(listed.stdout, /billing {2}"Billing" {2}confidential/);
    assert.ok(!listed.stdout.includes(secret));
    await cli('clients:delete', 'billing');
    assert.doesNotMatch((await cli('clients:list')).stdout, /billing/);
  });

  test('a bad client is refused with a one-line error and exit code 1', async () => {
    await assert.rejects(
      cli('clients:create', '--name', 'X', '--redirect-uri', 'not a url'),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 1);
        // oidc-provider warns on stderr when it loads on a Node.js it does not support (Node 20).
        const stderr = error.stderr.replace(/^oidc-provider WARNING: .*\n/m, '');
        assert.match(stderr, /^error: redirect URIs: "not a url" is not an absolute URL\n$/);
        return true;
      },
    );
  });

  test('keys:rotate walks the phases and keys:list shows them', async () => {
    assert.match((await cli('keys:rotate')).stdout, /introduced next keys/);
    assert.match((await cli('keys:rotate')).stdout, /promoted .* to current/);
    const statuses = (await cli('keys:list')).stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/)[2])
      .sort();
    assert.deepEqual(statuses, ['current', 'current', 'previous', 'previous']);
  });

  test('accounts:create makes a verified account; outbox:list answers', async () => {
    const created = await cli(
      'accounts:create',
      '--email',
      'Admin@Example.test',
      '--name',
      'Admin',
      '--password',
      'long enough passphrase',
    );
    assert.match(created.stdout, /created account [0-9a-f-]{36} \(admin@example.test\)/);
    await assert.rejects(
      cli(
        'accounts:create',
        '--email',
        'admin@example.test',
        '--name',
        'Again',
        '--password',
        'long enough passphrase',
      ),
      /already signs in/,
    );
    assert.match((await cli('outbox:list')).stdout, /the outbox is empty/);
  });
});
