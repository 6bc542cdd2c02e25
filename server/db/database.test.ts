// The sql.js file is written behind: on close at once, otherwise within SQLITE_SAVE_DELAY_MS.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase, SQLITE_SAVE_DELAY_MS } from './database.js';
import { Secret } from './entities/index.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-db-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const open = (file: string) => openDatabase({ kind: 'sqlite', file });
const write = (db: Awaited<ReturnType<typeof open>>, name: string) =>
  db.transaction((m) => m.insert(Secret, { name, value: 'v', createdAt: new Date() }));

test('changes are in the file after close, and a reopened database has them', async () => {
  const file = join(dir, 'close.sqlite');
  const db = await open(file);
  await db.migrate();
  await write(db, 'kept');
  await db.close();
  const again = await open(file);
  assert.ok(await again.read((m) => m.findOneBy(Secret, { name: 'kept' })));
  await again.close();
});

test('without a close, the file catches up within the save delay', async () => {
  const file = join(dir, 'behind.sqlite');
  const db = await open(file);
  await db.migrate();
  await new Promise((resolve) => setTimeout(resolve, SQLITE_SAVE_DELAY_MS * 2));
  await write(db, 'soon');
  await new Promise((resolve) => setTimeout(resolve, SQLITE_SAVE_DELAY_MS * 3));
  // A second reader of the file, as a restarted process would be (the lock is this process's own).
  const reader = await open(file);
  assert.ok(await reader.read((m) => m.findOneBy(Secret, { name: 'soon' })), 'the write reached the file');
  await reader.close();
  await db.close();
});

test('a read does not rewrite the file: only changes are saved', async () => {
  const file = join(dir, 'read.sqlite');
  const db = await open(file);
  await db.migrate();
  await write(db, 'there');
  await new Promise((resolve) => setTimeout(resolve, SQLITE_SAVE_DELAY_MS * 3));
  const saved = (await stat(file)).mtimeMs;
  assert.ok(await db.read((m) => m.findOneBy(Secret, { name: 'there' })));
  await new Promise((resolve) => setTimeout(resolve, SQLITE_SAVE_DELAY_MS * 3));
  assert.equal((await stat(file)).mtimeMs, saved);
  await db.close();
});
