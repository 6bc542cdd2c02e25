// The operator's domain commands as a real process (the CLI on an SQLite file no server holds): attesting a
// domain verifies it without DNS, and a domain another tenant holds is refused with exit code 1. (What the
// attestation refuses is tested through the service in domains.test.ts: each process here costs seconds.)
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase } from '../db/database.js';
import { TenantService } from '../tenants/service.js';
import { runWithin } from '../../test/support/waits.js';

const root = new URL('../..', import.meta.url).pathname;
let dir: string;
let env: NodeJS.ProcessEnv;
let acme: string;
let globex: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-domains-cli-'));
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    LOG_LEVEL: 'warn',
  };
  const db = await openDatabase({ kind: 'sqlite', file: join(dir, 'db.sqlite') });
  try {
    await db.migrate();
    const tenants = new TenantService(db, false);
    const backend = { kind: 'client' as const, clientId: 'test', manage: true };
    acme = (await tenants.create(backend, { name: 'Acme' })).id;
    globex = (await tenants.create(backend, { name: 'Globex' })).id;
  } finally {
    await db.close();
  }
});
after(() => rm(dir, { recursive: true, force: true }));

const cli = (...args: string[]) =>
  runWithin(60_000, process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: root, env });

/** A command that must fail: exit code 1 and this on stderr. */
const refused = (args: string[], message: RegExp) =>
  assert.rejects(cli(...args), (error: { code?: number; stderr?: string }) => {
    assert.equal(error.code, 1);
    assert.match(error.stderr ?? '', message);
    return true;
  });

test('domains:verify attests a domain for a tenant (normalised, verified by the operator); domains:owner finds it by an address', async () => {
  const attested = await cli('domains:verify', acme, 'Acme.Example.', '--join-policy', 'auto');
  assert.match(attested.stdout, new RegExp(`acme.example is verified for tenant ${acme} \\(join policy: auto\\)`));
  const owner = await cli('domains:owner', 'someone@ACME.example');
  assert.match(owner.stdout, new RegExp(`acme.example: ${acme} "Acme" \\(join policy: auto; no SSO routing\\)`));
});

test('a domain another tenant holds verified and a bad policy are refused with exit code 1 and a one-line reason', async () => {
  await cli('domains:verify', acme, 'taken.example');
  await refused(['domains:verify', globex, 'taken.example'], /taken.example is verified by another tenant/);
  await refused(
    ['domains:verify', globex, 'globex.example', '--join-policy', 'always'],
    /expected one of off, suggest, auto, request/,
  );
});
