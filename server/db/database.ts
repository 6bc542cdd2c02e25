// The one door to the database. On sql.js (a single connection) every access is serialised,
// because a query issued while another request's transaction is open would run inside it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import { Mutex } from 'async-mutex';
import type { DataSource, EntityManager } from 'typeorm';
import type { DatabaseConfig } from '../config.js';
import { createDataSource, saveSqliteFile } from './data-source.js';
import { lockSqliteFile } from './sqlite-lock.js';

/**
 * How long sql.js changes may wait before the file is written. sql.js can only save by exporting the
 * whole database, which after every statement cost most of a refresh grant; written behind, a crash
 * loses at most this much of the latest changes (MySQL has no such window).
 */
export const SQLITE_SAVE_DELAY_MS = 250;

export class Database {
  private readonly mutex: Mutex | undefined;
  private readonly held = new AsyncLocalStorage<EntityManager>();
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly flushAtExit = () => this.saveNow();

  constructor(
    readonly dataSource: DataSource,
    private readonly release: () => void = () => {},
    private readonly sqliteFile?: string,
  ) {
    this.mutex = dataSource.options.type === 'sqljs' ? new Mutex() : undefined;
    if (this.sqliteFile) process.once('exit', this.flushAtExit);
  }

  get kind(): 'sqlite' | 'mysql' {
    return this.mutex ? 'sqlite' : 'mysql';
  }

  /** Runs `fn` with an EntityManager outside a transaction (serialised on sql.js). */
  async read<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.held.getStore();
    if (current) return fn(current);
    if (!this.mutex) return fn(this.dataSource.manager);
    try {
      return await this.mutex.runExclusive(() => this.held.run(this.dataSource.manager, () => fn(this.dataSource.manager)));
    } finally {
      this.scheduleSave();
    }
  }

  /** Runs `fn` in one transaction: all of it commits, or none of it does. */
  async transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.held.getStore();
    if (current?.queryRunner?.isTransactionActive) return fn(current);
    const run = () => this.dataSource.transaction((manager) => this.held.run(manager, () => fn(manager)));
    if (!this.mutex) return run();
    try {
      return await this.mutex.runExclusive(run);
    } finally {
      this.scheduleSave();
    }
  }

  /** sql.js: write the file soon, once for all the changes made meanwhile. */
  private scheduleSave(): void {
    if (!this.sqliteFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => void this.mutex!.runExclusive(() => this.saveNow()), SQLITE_SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  /** Writes the sql.js database now (between queries: callers hold the mutex, or the process is exiting). */
  private saveNow(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.sqliteFile && this.dataSource.isInitialized) saveSqliteFile(this.dataSource, this.sqliteFile);
  }

  /**
   * Runs `fn` while holding a named lock shared by every instance on this database, so that
   * first-start generation of keys and secrets happens once. sql.js has one process: the mutex is enough.
   */
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (this.mutex) return fn();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [row] = (await runner.query('SELECT GET_LOCK(?, 30) AS locked', [`tessera:${name}`])) as { locked: number }[];
      if (Number(row?.locked) !== 1) throw new Error(`Could not take the database lock "${name}" within 30 s`);
      try {
        return await fn();
      } finally {
        await runner.query('SELECT RELEASE_LOCK(?)', [`tessera:${name}`]);
      }
    } finally {
      await runner.release();
    }
  }

  async ping(): Promise<void> {
    await this.read((m) => m.query('SELECT 1'));
  }

  async migrate(): Promise<string[]> {
    const done = await this.read(() => this.dataSource.runMigrations({ transaction: 'each' }));
    return done.map((m) => m.name);
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) {
      await (this.mutex ? this.mutex.runExclusive(async () => this.saveNow()) : Promise.resolve());
      await this.read(() => this.dataSource.destroy());
    }
    clearTimeout(this.saveTimer);
    process.removeListener('exit', this.flushAtExit);
    this.release();
  }
}

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const dataSource = createDataSource(config);
  const file = config.kind === 'sqlite' ? resolve(config.file) : undefined;
  const release = file ? lockSqliteFile(file) : () => {};
  try {
    await dataSource.initialize();
  } catch (error) {
    release();
    throw error;
  }
  return new Database(dataSource, release, file);
}
