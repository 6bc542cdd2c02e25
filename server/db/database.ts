// The one door to the database. On sql.js (a single connection) every access is serialised,
// because a query issued while another request's transaction is open would run inside it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import { Mutex } from 'async-mutex';
import type { DataSource, EntityManager } from 'typeorm';
import { type DatabaseConfig, POOL_DEFAULTS } from '../config.js';
import { ServiceUnavailable } from '../errors.js';
import { createDataSource, saveSqliteFile } from './data-source.js';
import { isDeadlock, toUniqueViolation } from './errors.js';
import { lockSqliteFile } from './sqlite-lock.js';

/**
 * How long sql.js changes may wait before the file is written. sql.js can only save by exporting the
 * whole database, which after every statement cost most of a refresh grant; written behind, a crash
 * loses at most this much of the latest changes (MySQL has no such window).
 */
export const SQLITE_SAVE_DELAY_MS = 250;

/** How long `/readyz` waits for a connection and an answer before it calls the database unreachable. */
export const PING_TIMEOUT_MS = 2000;

export class Database {
  private readonly mutex: Mutex | undefined;
  private readonly held = new AsyncLocalStorage<EntityManager>();
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly flushAtExit = () => this.saveNow();

  constructor(
    readonly dataSource: DataSource,
    private readonly release: () => void = () => {},
    private readonly sqliteFile?: string,
    poolWaitMs = POOL_DEFAULTS.waitMs,
  ) {
    this.mutex = dataSource.options.type === 'sqljs' ? new Mutex() : undefined;
    if (this.sqliteFile) process.once('exit', this.flushAtExit);
    if (!this.mutex) boundPoolWait(dataSource, poolWaitMs);
  }

  get kind(): 'sqlite' | 'mysql' {
    return this.mutex ? 'sqlite' : 'mysql';
  }

  /** Reads with an EntityManager outside a transaction (serialised on sql.js). */
  read<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.outside(fn);
  }

  /**
   * Writes outside a transaction: for one statement, which is atomic by itself (an upsert, a conditional
   * update whose row count decides, a cleanup). Changes that must hold together belong in `transaction`.
   */
  write<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.outside(fn);
  }

  /** Runs `fn` with an EntityManager outside a transaction, each statement committing on its own. */
  private async outside<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.held.getStore();
    if (current) return fn(current);
    if (!this.mutex) return this.withConflicts(() => fn(this.dataSource.manager));
    try {
      return await this.withConflicts(() =>
        this.mutex!.runExclusive(() => this.held.run(this.dataSource.manager, () => fn(this.dataSource.manager))),
      );
    } finally {
      this.scheduleSave();
    }
  }

  /**
   * Runs `fn` in one transaction: all of it commits, or none of it does. Inside it, `read` and
   * `transaction` use the same connection, so nothing inside waits on the pool for a second one.
   */
  async transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.held.getStore();
    if (current?.queryRunner?.isTransactionActive) return fn(current);
    const inside = (manager: EntityManager) => this.held.run(manager, () => fn(manager));
    // A connection pinned by withLock: the transaction runs on it, not on a second one from the pool.
    const run = () =>
      this.withConflicts(() =>
        current?.queryRunner ? current.transaction(inside) : this.dataSource.transaction(inside),
      );
    if (!this.mutex) return retryDeadlocks(run);
    try {
      return await this.mutex.runExclusive(run);
    } finally {
      this.scheduleSave();
    }
  }

  /** Runs `fn`, turning a unique-key clash into a 409 that names the field (the one place that does). */
  private async withConflicts<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toUniqueViolation(error, this.primaryKeyOf) ?? error;
    }
  }

  private readonly primaryKeyOf = (table: string) =>
    this.dataSource.entityMetadatas.find((e) => e.tableName === table)?.primaryColumns.map((c) => c.databaseName);

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
      const [row] = (await runner.query('SELECT GET_LOCK(?, 30) AS locked', [`tessera:${name}`])) as {
        locked: number;
      }[];
      if (Number(row?.locked) !== 1) throw new Error(`Could not take the database lock "${name}" within 30 s`);
      try {
        // fn's queries run on the connection that holds the lock, never waiting on the pool for another.
        return await this.held.run(runner.manager, fn);
      } finally {
        await runner.query('SELECT RELEASE_LOCK(?)', [`tessera:${name}`]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Fails unless a connection can be had and answers within `timeoutMs` (an exhausted pool is not ready). */
  async ping(timeoutMs = PING_TIMEOUT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ServiceUnavailable(1, `The database did not answer within ${timeoutMs} ms.`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.read((m) => m.query('SELECT 1')), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async migrate(): Promise<string[]> {
    const done = await this.outside(() => this.dataSource.runMigrations({ transaction: 'each' }));
    return done.map((m) => m.name);
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) {
      await (this.mutex ? this.mutex.runExclusive(async () => this.saveNow()) : Promise.resolve());
      await this.outside(() => this.dataSource.destroy());
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
  return new Database(dataSource, release, file, config.kind === 'mysql' ? config.pool?.waitMs : undefined);
}

/** How often a transaction that InnoDB chose as a deadlock victim is run again (it was rolled back whole). */
const DEADLOCK_ATTEMPTS = 3;

async function retryDeadlocks<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= DEADLOCK_ATTEMPTS || !isDeadlock(error)) throw error;
    }
  }
}

interface PooledConnection {
  release(): void;
}

/**
 * mysql2's pool lets a request wait for a connection forever. Every connection TypeORM takes goes
 * through `obtainMasterConnection`: bound it, so that an exhausted pool answers 503 quickly; a
 * connection that arrives after its request gave up goes straight back to the pool.
 */
function boundPoolWait(dataSource: DataSource, waitMs: number): void {
  const driver = dataSource.driver as unknown as { obtainMasterConnection(): Promise<PooledConnection> };
  const obtain = driver.obtainMasterConnection.bind(driver);
  const busy = () =>
    new ServiceUnavailable(1, 'The server is busy (no database connection came free in time). Please retry.');
  driver.obtainMasterConnection = () =>
    new Promise((resolve, reject) => {
      let gaveUp = false;
      const timer = setTimeout(() => {
        gaveUp = true;
        reject(busy());
      }, waitMs);
      obtain().then(
        (connection) => {
          clearTimeout(timer);
          if (gaveUp) connection.release();
          else resolve(connection);
        },
        (error: Error) => {
          clearTimeout(timer);
          // mysql2 refuses at once when queueLimit requests wait already.
          reject(/Queue limit reached/.test(error.message) ? busy() : error);
        },
      );
    });
}
