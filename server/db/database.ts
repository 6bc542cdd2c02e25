// The one door to the database. On sql.js (a single connection) every access is serialised,
// because a query issued while another request's transaction is open would run inside it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import { Mutex } from 'async-mutex';
import type { DataSource, EntityManager } from 'typeorm';
import { type DatabaseConfig, POOL_DEFAULTS } from '../config.js';
import { ServiceUnavailable } from '../errors.js';
import { assertNodeReady, type Cluster, detectCluster, sessionSettings, writeGuard } from './cluster.js';
import { createDataSource, saveSqliteFile } from './data-source.js';
import { isDeadlock, toUnavailable, toUniqueViolation } from './errors.js';
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
    /** The cluster the MySQL/MariaDB database is (openDatabase detects it); `none` for one server and for sql.js. */
    readonly cluster: Cluster = 'none',
  ) {
    this.mutex = dataSource.options.type === 'sqljs' ? new Mutex() : undefined;
    if (this.sqliteFile) process.once('exit', this.flushAtExit);
    if (!this.mutex) boundPoolWait(dataSource, poolWaitMs, sessionSettings(cluster));
  }

  get kind(): 'sqlite' | 'mysql' {
    return this.mutex ? 'sqlite' : 'mysql';
  }

  /** Reads with an EntityManager outside a transaction (serialised on sql.js). */
  read<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.outside(fn, false);
  }

  /**
   * Writes outside a transaction: for one statement, which is atomic by itself (an upsert, a conditional
   * update whose row count decides, a cleanup). Changes that must hold together belong in `transaction`.
   */
  write<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.outside(fn, true);
  }

  /**
   * Runs `fn` with an EntityManager outside a transaction, each statement committing on its own. On sql.js only
   * what `changes` is followed by a save: a save exports the whole database (a full copy, and a close and reopen
   * that drop SQLite's page cache), which made read-only traffic (client credentials, /readyz) write the file.
   */
  private async outside<T>(fn: (manager: EntityManager) => Promise<T>, changes: boolean): Promise<T> {
    const current = this.held.getStore();
    if (current?.queryRunner?.isTransactionActive) return fn(current);
    // A cluster may abort even a single autocommit statement at certification (beyond wsrep_retry_autocommit):
    // it did nothing, and `write` holds only statements that may run again, so it runs again.
    const retry = <R>(run: () => Promise<R>) => (this.cluster === 'none' ? run() : this.retryDeadlocks(run));
    if (current) return retry(() => this.withConflicts(() => fn(current)));
    if (!this.mutex) return retry(() => this.withConflicts(() => fn(this.dataSource.manager)));
    try {
      return await this.withConflicts(() =>
        this.mutex!.runExclusive(() => this.held.run(this.dataSource.manager, () => fn(this.dataSource.manager))),
      );
    } finally {
      if (changes) this.scheduleSave();
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
    if (!this.mutex) return this.retryDeadlocks(run);
    try {
      return await this.mutex.runExclusive(run);
    } finally {
      this.scheduleSave();
    }
  }

  /**
   * Runs `fn`, turning a unique-key clash into a 409 that names the field and a node that cannot serve
   * (Galera's 1047, a lost connection) into a 503 with Retry-After: the one place that does.
   */
  private async withConflicts<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toUniqueViolation(error, this.primaryKeyOf) ?? toUnavailable(error) ?? error;
    }
  }

  /**
   * Runs `run` again when the database rolled it back as a deadlock victim or, on a cluster, lost
   * certification to a conflicting commit on another node (both error 1213): it did nothing, so running it
   * again is safe as long as it has no effect outside the database (the rule for every `transaction` body).
   * A random pause, growing with each attempt, keeps the losers of one conflict from meeting again.
   */
  private async retryDeadlocks<T>(run: () => Promise<T>): Promise<T> {
    const attempts = this.cluster === 'none' ? DEADLOCK_ATTEMPTS : CERTIFICATION_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (attempt >= attempts || !isDeadlock(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * RETRY_PAUSE_MS * 2 ** attempt));
      }
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
   * Runs `fn` in one transaction that no other instance's `withLock(name)` runs beside, so that first-start
   * generation of keys and secrets happens once. The transaction writes the guard row `lock:<name>`: on one
   * server its row lock makes the second wait; on a cluster, where GET_LOCK is node-local, certification lets
   * only one commit and the other runs again, reading (causally) what the first wrote. On one server the
   * GET_LOCK taken first keeps the waiting out of InnoDB. sql.js has one process: the mutex is enough.
   */
  async withLock<T>(name: string, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const guarded = () =>
      this.transaction(async (m) => {
        await writeGuard(m, `lock:${name}`);
        return fn(m);
      });
    if (this.mutex || this.cluster !== 'none') return guarded();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [row] = (await runner.query('SELECT GET_LOCK(?, 30) AS locked', [`tessera:${name}`])) as {
        locked: number;
      }[];
      if (Number(row?.locked) !== 1) throw new Error(`Could not take the database lock "${name}" within 30 s`);
      try {
        // fn's queries run on the connection that holds the lock, never waiting on the pool for another.
        return await this.held.run(runner.manager, guarded);
      } finally {
        await runner.query('SELECT RELEASE_LOCK(?)', [`tessera:${name}`]);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Fails unless a connection can be had and answers within `timeoutMs` (an exhausted pool is not ready)
   * and, on a cluster, the node serves application queries (one outside the primary component does not).
   */
  async ping(timeoutMs = PING_TIMEOUT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ServiceUnavailable(1, `The database did not answer within ${timeoutMs} ms.`)),
        timeoutMs,
      );
    });
    try {
      const answers = this.read(async (m) => {
        await m.query('SELECT 1');
        await assertNodeReady(m, this.cluster);
      });
      await Promise.race([answers, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async migrate(): Promise<string[]> {
    const done = await this.outside(() => this.dataSource.runMigrations({ transaction: 'each' }), true);
    return done.map((m) => m.name);
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) {
      await (this.mutex ? this.mutex.runExclusive(async () => this.saveNow()) : Promise.resolve());
      await this.outside(() => this.dataSource.destroy(), false);
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
  let cluster: Cluster = 'none';
  try {
    await dataSource.initialize();
    if (config.kind === 'mysql') cluster = await detectCluster(dataSource, config.cluster);
  } catch (error) {
    release();
    throw error;
  }
  return new Database(dataSource, release, file, config.kind === 'mysql' ? config.pool?.waitMs : undefined, cluster);
}

/** How often a transaction that InnoDB chose as a deadlock victim is run (it was rolled back whole). */
const DEADLOCK_ATTEMPTS = 3;
/** On a cluster, how often a transaction that lost certification is run: conflicts there are routine under load. */
const CERTIFICATION_ATTEMPTS = 6;
/** The first retry pauses up to twice this, each further one up to twice as long (at most ~1.3 s in all). */
const RETRY_PAUSE_MS = 10;

interface PooledConnection {
  release(): void;
  query(sql: string, callback: (error: Error | null) => void): void;
}

/**
 * mysql2's pool lets a request wait for a connection forever. Every connection TypeORM takes goes
 * through `obtainMasterConnection`: bound it, so that an exhausted pool answers 503 quickly; a
 * connection that arrives after its request gave up goes straight back to the pool.
 */
function boundPoolWait(dataSource: DataSource, waitMs: number, settings: string[]): void {
  const driver = dataSource.driver as unknown as { obtainMasterConnection(): Promise<PooledConnection> };
  const obtain = driver.obtainMasterConnection.bind(driver);
  const busy = () =>
    new ServiceUnavailable(1, 'The server is busy (no database connection came free in time). Please retry.');
  const prepared = new WeakSet<PooledConnection>();
  // Each pooled connection gets the session settings once, before its first use (the pool reuses it after).
  const prepare = async (connection: PooledConnection) => {
    if (prepared.has(connection)) return connection;
    for (const sql of settings)
      await new Promise<void>((done, fail) => connection.query(sql, (e) => (e ? fail(e) : done())));
    prepared.add(connection);
    return connection;
  };
  const ready = (connection: PooledConnection) =>
    settings.length === 0
      ? Promise.resolve(connection)
      : prepare(connection).catch((error: unknown) => {
          connection.release();
          throw error;
        });
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
          else ready(connection).then(resolve, reject);
        },
        (error: Error) => {
          clearTimeout(timer);
          // mysql2 refuses at once when queueLimit requests wait already.
          reject(/Queue limit reached/.test(error.message) ? busy() : error);
        },
      );
    });
}
