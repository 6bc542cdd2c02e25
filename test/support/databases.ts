// Test support: runs a describe block once per database the tests can reach — SQLite always,
// MySQL/MariaDB too when TEST_MYSQL_URL is set — each migrated, with the given tables emptied
// before every test so tests do not see each other's rows.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe } from 'node:test';
import type { DatabaseConfig } from '../../server/config.js';
import { type Database, openDatabase } from '../../server/db/database.js';

export interface TestDatabase {
  label: string;
  open(): Promise<{ config: DatabaseConfig; dispose(): Promise<void> }>;
}

export function testDatabases(): TestDatabase[] {
  const sqlite: TestDatabase = {
    label: 'sqlite',
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'tessera-test-'));
      return {
        config: { kind: 'sqlite', file: join(dir, 'x.sqlite') },
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    },
  };
  const mysqlUrl = process.env.TEST_MYSQL_URL;
  if (!mysqlUrl) return [sqlite];
  const mysql: TestDatabase = {
    label: 'mysql',
    open: async () => ({ config: { kind: 'mysql', url: mysqlUrl }, dispose: async () => {} }),
  };
  return [sqlite, mysql];
}

/** Empties every table but the migrations log (MySQL only: SQLite suites get a fresh file). */
async function emptyAllTables(db: Database): Promise<void> {
  const runner = db.dataSource.createQueryRunner();
  try {
    const rows = (await runner.query(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> 'migrations'",
    )) as { name: string }[];
    await runner.query('SET FOREIGN_KEY_CHECKS = 0');
    for (const { name } of rows) await runner.query(`DELETE FROM \`${name}\``);
    await runner.query('SET FOREIGN_KEY_CHECKS = 1');
  } finally {
    await runner.release();
  }
}

/**
 * Opens and migrates a test database. A fresh SQLite file per suite; on MySQL one shared database,
 * migrated once per run and emptied before each suite (files run one at a time).
 */
export async function openTestDatabase(
  target: TestDatabase,
): Promise<{ db: Database; url: string; dispose(): Promise<void> }> {
  const opened = await target.open();
  const db = await openDatabase(opened.config);
  await db.migrate();
  if (opened.config.kind === 'mysql') await emptyAllTables(db);
  const url = opened.config.kind === 'mysql' ? opened.config.url : `sqlite:${opened.config.file}`;
  return {
    db,
    url,
    dispose: async () => {
      await db.close();
      await opened.dispose();
    },
  };
}

/** `body` receives a getter: the database exists only once the block's `before` has run. */
export function describeEachDatabase(name: string, tables: string[], body: (db: () => Database) => void): void {
  for (const target of testDatabases()) {
    describe(`${name} [${target.label}]`, () => {
      let opened: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
      before(async () => {
        opened = await openTestDatabase(target);
      });
      after(async () => {
        await opened?.dispose();
      });
      beforeEach(async () => {
        for (const table of tables) await opened!.db.write((m) => m.query(`DELETE FROM ${table}`));
      });
      body(() => opened!.db);
    });
  }
}

/**
 * Whether some MySQL/MariaDB transaction waits for a row lock within `ms`: shows that a change waits for
 * another one (the rule), not how long it takes.
 */
export async function someoneWaitsForALock(db: Database, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    const rows = (await db.read((m) => m.query('SELECT trx_state AS state FROM information_schema.innodb_trx'))) as {
      state: string;
    }[];
    if (rows.some((r) => r.state === 'LOCK WAIT')) return true;
    // InnoDB refills this table only when it was not read for 0.1 s: polled faster, it never changes.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}
