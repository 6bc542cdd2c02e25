// Webhooks end to end with real processes: the CLI registers an operator's endpoint and causes events,
// the server's own delivery worker posts them, and a receiver on 127.0.0.1 verifies each signature with
// the specification's algorithm (test/support/webhook-receiver.ts, independent of Tessera's signing code).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, processEnv } from './support/processes.js';
import { ProcessWatch, runWithin } from './support/waits.js';
import { verifyStandardWebhook, WebhookReceiver } from './support/webhook-receiver.js';

const root = new URL('..', import.meta.url).pathname;

let dir: string;
let env: NodeJS.ProcessEnv;
let receiver: WebhookReceiver;
let server: ProcessWatch | undefined;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-webhooks-'));
  receiver = await WebhookReceiver.start();
  env = processEnv(dir);
});
after(async () => {
  server?.child.kill('SIGKILL');
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

const cli = async (...args: string[]) =>
  (await runWithin(60_000, process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: root, env })).stdout;

test('an endpoint registered with the CLI receives signed events from the running server’s worker', async () => {
  const created = await cli('webhooks:create', '--url', `${receiver.url}/operator`, '--event', 'all');
  const id = /^([0-9a-f-]{36})\s/m.exec(created)?.[1];
  const secret = /^secret: (whsec_\S+)$/m.exec(created)?.[1];
  assert.ok(id && secret, created);
  assert.doesNotMatch(await cli('webhooks:list'), /whsec_/, 'the secret is never listed');

  // Events queued while no server runs (the CLI holds the embedded database)...
  const account = await cli(
    'accounts:create',
    '--email',
    'hooked@example.test',
    '--name',
    'Hooked',
    '--password',
    'long enough pw',
  );
  const accountId = /created account ([0-9a-f-]{36})/.exec(account)?.[1];
  await cli('webhooks:ping', id);

  // ...are delivered by the server's worker once it runs.
  const port = await freePort();
  server = new ProcessWatch(
    spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    }),
    'the server',
  );
  await server.waitForOutput(/Tessera is ready/, 60_000);
  const received = await receiver.waitFor(2, 30_000);
  for (const request of received) assert.ok(verifyStandardWebhook(secret, request), request.body);
  const bodies = received.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
  assert.deepEqual(bodies.map((b) => b.type).sort(), ['account.created', 'webhook.ping']);
  assert.deepEqual(bodies.find((b) => b.type === 'account.created')!.data, { account_id: accountId, actor: 'cli' });

  server.child.kill('SIGTERM');
  assert.equal(await server.waitForExit(30_000), 0);
  server = undefined;
  const log = await cli('webhooks:deliveries', id);
  assert.equal(log.match(/succeeded/g)?.length, 2, log);
});
