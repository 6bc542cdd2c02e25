// The CLI against a running server on the embedded database: the server holds the SQLite file, so the CLI
// sends each command to its operator API; sign-ins go on meanwhile. Then the same commands with the server
// stopped run in-process, with the same output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { UserAgent } from './support/user-agent.js';
import { ProcessWatch, runWithin } from './support/waits.js';

const root = new URL('..', import.meta.url).pathname;
const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describe('the CLI while the server runs on the embedded database', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let server: ProcessWatch | undefined;
  let issuer: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-cli-'));
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      ISSUER: issuer,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_ITERATIONS: '1',
      // The sign-ins below run for as long as the commands do: more than the default limits allow.
      RATE_LIMIT_LOGIN: '100000',
      RATE_LIMIT_IP: '100000',
    };
    server = new ProcessWatch(
      spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env }),
      'the server',
    );
    await server.waitForOutput(/Tessera is ready/, 60_000);
  });
  after(async () => {
    server?.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    runWithin(90_000, process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: root, env });

  /** Password sign-ins with code + PKCE through the real pages, one after another until `stop` resolves. */
  async function signInsUntil(stop: Promise<unknown>, clientId: string, secret: string, email: string) {
    const rp = await oidc.discovery(new URL(issuer), clientId, secret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    let done = false;
    void stop.finally(() => {
      done = true;
    });
    let signedIn = 0;
    while (!done || signedIn === 0) {
      const verifier = oidc.randomPKCECodeVerifier();
      const browser = new UserAgent(issuer);
      const login = await browser.follow(
        oidc.buildAuthorizationUrl(rp, {
          redirect_uri: 'https://app.example/callback',
          scope: 'openid',
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        }).href,
      );
      const back = await browser.submit(login, /\/login$/, { email, password: 'long enough passphrase' });
      assert.match(
        back.location ?? '',
        /^https:\/\/app\.example\/callback\?code=/,
        `${back.status} ${back.html.slice(0, 300)}`,
      );
      const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.location!), { pkceCodeVerifier: verifier });
      assert.ok(tokens.id_token);
      signedIn++;
    }
    return signedIn;
  }

  test('the server wrote the CLI credential (0600) and printed a first-admin setup link', async () => {
    assert.equal((await stat(join(dir, 'cli-credentials.json'))).mode & 0o777, 0o600);
    assert.match(server!.output(), new RegExp(`${issuer}/setup/[\\w-]{40,}`));
  });

  test('create a client, list it and delete it through the running server while sign-ins go on', async () => {
    const account = await cli(
      'accounts:create',
      '--email',
      'ops@example.test',
      '--name',
      'Ops',
      '--password',
      'long enough passphrase',
    );
    assert.match(account.stdout, /created account [0-9a-f-]{36} \(ops@example.test\)/);
    const app = await cli(
      'clients:create',
      '--name',
      'Portal',
      '--id',
      'portal',
      '--first-party',
      '--redirect-uri',
      'https://app.example/callback',
    );
    const appSecret = /client_secret: (\S+)/.exec(app.stdout)![1]!;

    const commands = (async () => {
      const created = await cli(
        '--json',
        'clients:create',
        '--name',
        'Billing',
        '--id',
        'billing',
        '--grant',
        'client_credentials',
      );
      const body = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
      assert.equal(body.client_id, 'billing');
      const listed = await cli('clients:list');
      assert.match(listed.stdout, /billing {2}"Billing" {2}confidential {2}grants: client_credentials/);
      assert.ok(!listed.stdout.includes(body.client_secret), 'never the secret');
      assert.equal((await cli('clients:delete', 'billing')).stdout, 'deleted billing\n');
      assert.doesNotMatch((await cli('clients:list')).stdout, /billing/);
    })();
    const signedIn = await signInsUntil(commands, 'portal', appSecret, 'ops@example.test');
    await commands;
    assert.ok(signedIn > 0);
    // Done by the server, on behalf of the CLI's operator client.
    const audit = await cli('audit:list', '--type', 'client.deleted');
    assert.match(audit.stdout, /client\.deleted\s+client:tessera-cli-\w+\s+billing/);
  });

  test('an error from the server is one line and exit code 1, as in-process', async () => {
    await assert.rejects(
      cli('clients:create', '--name', 'X', '--redirect-uri', 'not a url'),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 1);
        assert.match(error.stderr, /error: redirect URIs: "not a url" is not an absolute URL\n$/);
        return true;
      },
    );
  });

  test('resources, global connections, domains and webhooks through the running server', async () => {
    const created = await cli(
      'resources:create',
      '--audience',
      'https://api.invoices.example',
      '--name',
      'Invoices',
      '--permission',
      'invoices:read,invoices:write',
    );
    assert.match(
      created.stdout,
      /^https:\/\/api\.invoices\.example {2}"Invoices" {2}ES256 {2}ttl 900s {2}id [0-9a-f-]{36}\n/,
    );
    const changed = await cli('resources:update', 'https://api.invoices.example', '--ttl', '600');
    assert.match(changed.stdout, /ttl 600s/);
    assert.match((await cli('resources:list')).stdout, /permissions: invoices:read invoices:write/);
    const listed = JSON.parse((await cli('--json', 'resources:list')).stdout) as { audience: string }[];
    assert.deepEqual(
      listed.map((r) => r.audience),
      ['https://api.invoices.example'],
    );

    const added = await cli(
      'connections:add',
      '--slug',
      'corp',
      '--name',
      'Corp',
      '--issuer',
      'https://idp.example',
      '--client-id',
      'tessera',
      '--client-secret',
      'upstream secret value',
    );
    assert.match(
      added.stdout,
      new RegExp(`redirect URI to register at the provider: ${issuer}/connections/corp/callback`),
    );
    assert.match(
      (await cli('connections:update', 'corp', '--trusted-email')).stdout,
      /updated corp: enabled, trusted e-mails/,
    );
    const connections = await cli('connections:list');
    assert.match(connections.stdout, /^corp {17}oidc {3}enabled {2}trusted-email {2}Corp {2}https:\/\/idp\.example\n$/);
    assert.ok(!connections.stdout.includes('upstream secret value'), 'never the secret');

    const tenant = JSON.parse((await cli('--json', 'tenants:create', '--name', 'Acme')).stdout) as { id: string };
    assert.match((await cli('domains:verify', tenant.id, 'acme.example')).stdout, /acme\.example is verified/);
    assert.match((await cli('domains:owner', 'ops@acme.example')).stdout, /acme\.example: .* "Acme"/);
    const hook = await cli('webhooks:create', '--url', 'http://127.0.0.1:9/hook', '--event', 'tenant.created');
    assert.match(hook.stdout, /secret: whsec_/);

    // Done by the server, on behalf of the CLI's operator client: over HTTP, not in this process.
    const audit = await cli('audit:list', '--limit', '100');
    for (const type of [
      'resource.created',
      'resource.updated',
      'connection.created',
      'connection.updated',
      'domain.verified',
    ])
      assert.match(audit.stdout, new RegExp(`${type.replace('.', '\\.')}\\s+client:tessera-cli-\\w+`), type);
  });

  test('the setup link command, the operator role and --json work remotely; with the server stopped, the same output', async () => {
    assert.match((await cli('operators:setup-link')).stdout, new RegExp(`^${issuer}/setup/[\\w-]{40,}\\n`));
    assert.match((await cli('operators:add', '--email', 'ops@example.test')).stdout, /is an operator/);
    const remote = (await cli('clients:list')).stdout;
    const remoteResources = (await cli('resources:list')).stdout;
    const remoteConnections = (await cli('--json', 'connections:list')).stdout;
    const remoteJson = JSON.parse((await cli('--json', 'operators:list')).stdout) as unknown[];
    assert.equal(remoteJson.length, 1);
    server!.child.kill('SIGTERM');
    assert.equal(await server!.waitForExit(30_000), 0);
    assert.equal((await cli('clients:list')).stdout, remote);
    assert.equal((await cli('resources:list')).stdout, remoteResources);
    assert.equal((await cli('--json', 'connections:list')).stdout, remoteConnections);
    assert.match((await cli('resources:delete', 'https://api.invoices.example')).stdout, /deleted/);
    assert.match((await cli('connections:remove', 'corp')).stdout, /removed corp/);
    assert.deepEqual(JSON.parse((await cli('--json', 'operators:list')).stdout), remoteJson);
  });
});
