// Test support: runs a describe block once per database the tests can reach — SQLite always,
// MySQL/MariaDB too when TEST_MYSQL_URL is set — each migrated, with the given tables emptied
// before every test so tests do not see each other's rows.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe } from 'node:test';
import type { DatabaseConfig } from '../config.js';
import { type Database, openDatabase } from '../db/database.js';

interface TestDatabase {
  label: string;
  open(): Promise<{ config: DatabaseConfig; dispose(): Promise<void> }>;
}

function testDatabases(): TestDatabase[] {
  const sqlite: TestDatabase = {
    label: 'sqlite',
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'tessera-test-'));
      return { config: { kind: 'sqlite', file: join(dir, 'x.sqlite') }, dispose: () => rm(dir, { recursive: true, force: true }) };
    },
  };
  const mysqlUrl = process.env.TEST_MYSQL_URL;
  if (!mysqlUrl) return [sqlite];
  const mysql: TestDatabase = { label: 'mysql', open: async () => ({ config: { kind: 'mysql', url: mysqlUrl }, dispose: async () => {} }) };
  return [sqlite, mysql];
}

/** `body` receives a getter: the database exists only once the block's `before` has run. */
export function describeEachDatabase(name: string, tables: string[], body: (db: () => Database) => void): void {
  for (const target of testDatabases()) {
    describe(`${name} [${target.label}]`, () => {
      let db: Database | undefined;
      let dispose = async () => {};
      before(async () => {
        const opened = await target.open();
        dispose = opened.dispose;
        db = await openDatabase(opened.config);
        await db.migrate();
      });
      after(async () => {
        await db?.close();
        await dispose();
      });
      beforeEach(async () => {
        for (const table of tables) await db!.read((m) => m.query(`DELETE FROM ${table}`));
      });
      body(() => db!);
    });
  }
}
