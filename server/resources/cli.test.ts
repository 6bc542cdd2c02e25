// The operator's commands as real processes: resources:create / update / list / delete and clients:configure.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as jose from 'jose';
import { runWithin } from '../../test/support/waits.js';

const root = new URL('../..', import.meta.url).pathname;

describe('resources:… and clients:configure on the command line', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-resources-cli-'));
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      ISSUER: 'http://localhost:3999',
      LOG_LEVEL: 'warn',
    };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cli = (...args: string[]) =>
    runWithin(60_000, process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: root, env });
  const refused = (pattern: RegExp) => (error: { code: number; stderr: string }) => {
    assert.equal(error.code, 1);
    assert.match(error.stderr, pattern);
    return true;
  };

  test('an operator registers an API, changes it, lists it and deletes it', async () => {
    const created = await cli(
      'resources:create',
      '--audience',
      'https://api.invoices.example',
      '--name',
      'Invoices',
      '--permission',
      'invoices:read,invoices:write',
      '--public',
    );
    assert.match(created.stdout, /^https:\/\/api\.invoices\.example {2}"Invoices" {2}ES256 {2}ttl 900s {2}public/);
    const updated = await cli('resources:update', 'https://api.invoices.example', '--ttl', '600', '--alg', 'RS256');
    assert.match(updated.stdout, /"Invoices" {2}RS256 {2}ttl 600s {2}public/);
    assert.match((await cli('resources:list')).stdout, /permissions: invoices:read invoices:write/);
    await assert.rejects(
      cli('resources:create', '--audience', 'https://api.invoices.example', '--name', 'Again'),
      refused(/error: A resource with the audience https:\/\/api\.invoices\.example exists already\.\n$/),
    );
    await assert.rejects(
      cli('resources:create', '--audience', 'http://localhost:3999/api', '--name', 'Mine'),
      refused(/Management API/),
    );
    await assert.rejects(
      cli('resources:create', '--audience', 'https://x.example', '--name', 'X', '--permission', 'bad"name'),
      refused(/not a permission name/),
    );
    assert.match((await cli('resources:delete', 'https://api.invoices.example')).stdout, /deleted/);
    assert.match((await cli('resources:list')).stdout, /no API resources/);
  });

  test('clients:configure sets private_key_jwt with a JWKS file, an RS256 ID token and a default resource', async () => {
    const created = await cli('clients:create', '--name', 'Keys', '--id', 'keys-app', '--grant', 'client_credentials');
    assert.match(created.stdout, /keys-app/);
    const { publicKey } = await jose.generateKeyPair('ES256');
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify({ keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1' }] }));
    await assert.rejects(cli('clients:configure', 'keys-app', '--auth-method', 'private_key_jwt'), refused(/--jwks/));
    const shown = JSON.parse(
      (
        await cli(
          'clients:configure',
          'keys-app',
          '--auth-method',
          'private_key_jwt',
          '--jwks',
          file,
          '--id-token-alg',
          'RS256',
          '--default-resource',
          'https://api.invoices.example',
        )
      ).stdout,
    ) as Record<string, unknown>;
    assert.equal(shown.token_endpoint_auth_method, 'private_key_jwt');
    assert.equal(shown.id_token_signed_response_alg, 'RS256');
    assert.equal(shown.default_resource, 'https://api.invoices.example');
    assert.equal(shown.client_secret, undefined, 'never printed');
    await assert.rejects(cli('clients:configure', 'keys-app', '--tenant', 'nowhere'), refused(/no tenant "nowhere"/));
  });
});
