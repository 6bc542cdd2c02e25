// The operator adds a global SAML connection with the CLI (a real process on an SQLite file): metadata from
// a file, the SP metadata URL, entity id and ACS printed for the IdP, and the connection listed.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase } from '../db/database.js';
import { type SamlIdp, startSamlIdp } from '../../test/support/saml-idp.js';
import { runWithin } from '../../test/support/waits.js';

const root = new URL('../..', import.meta.url).pathname;
let dir: string;
let idp: SamlIdp;
let env: NodeJS.ProcessEnv;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-saml-cli-'));
  idp = await startSamlIdp();
  await writeFile(join(dir, 'idp.xml'), idp.metadataXml);
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    ISSUER: 'https://id.example.test',
    LOG_LEVEL: 'warn',
  };
  const db = await openDatabase({ kind: 'sqlite', file: join(dir, 'db.sqlite') });
  await db.migrate().finally(() => db.close());
});
after(async () => {
  await idp.close();
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  runWithin(60_000, process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: root, env });

test('connections:add --kind saml reads the metadata file and prints what to give the IdP; connections:list shows it', async () => {
  const added = await cli(
    'connections:add',
    '--slug',
    'corp-saml',
    '--kind',
    'saml',
    '--name',
    'Corp SAML',
    '--saml-metadata-file',
    join(dir, 'idp.xml'),
  );
  const metadata = 'https://id.example.test/connections/corp-saml/saml/metadata';
  assert.match(added.stdout, new RegExp(`give the IdP the SP metadata: ${metadata}`));
  assert.match(added.stdout, /ACS https:\/\/id\.example\.test\/connections\/corp-saml\/saml\/acs, HTTP-POST/);
  const listed = await cli('connections:list');
  assert.match(listed.stdout, new RegExp(`corp-saml\\s+saml .*Corp SAML\\s+${idp.entityId}`));
});
