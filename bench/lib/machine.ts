// The machine and MariaDB: what the report says about them, pinning MariaDB, its statement counters.
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { Options } from './options.js';
import { allowedCpus, ROOT, sh } from './proc.js';
import { log, state } from './state.js';

export async function describeMachine(opts: Options) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const mhz = /cpu MHz\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim();
  const version = (p: string) =>
    (JSON.parse(readFileSync(join(ROOT, 'node_modules', p, 'package.json'), 'utf8')) as { version: string }).version;
  let mariadb = '–';
  if (opts.dbs.includes('mysql')) {
    const conn = await mysql.createConnection(serverUrl(opts.mysqlUrl));
    mariadb = String(((await conn.query('SELECT VERSION() AS v'))[0] as { v: string }[])[0]!.v);
    await conn.end();
  }
  const commit = await sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']).catch(() => '?');
  const dirty = await sh('git', ['-C', ROOT, 'status', '--porcelain', '--', 'server', 'migrations']).then(
    (s) => (s ? ' (server/ has uncommitted changes)' : ''),
    () => '',
  );
  return {
    nproc: Number(await sh('nproc', ['--all'])),
    cpu: model + (mhz ? ` @ ${Math.round(Number(mhz))} MHz` : ''),
    node:
      state.serverNode === process.execPath
        ? process.version
        : `${await sh(state.serverNode, ['--version'])} for the servers (${process.version} for the load generator)`,
    kernel: await sh('uname', ['-r']),
    mariadb,
    oidcProvider: version('oidc-provider'),
    autocannon: version('autocannon'),
    commit: commit + dirty,
    loadavgAtStart: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    loadCpus: allowedCpus(),
    mariadbCpus: 'not pinned',
  };
}

export function serverUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/';
  return u.href;
}

export async function pinMariadb(
  machine: Awaited<ReturnType<typeof describeMachine>>,
): Promise<(() => Promise<void>) | undefined> {
  const pid = await sh('pgrep', ['-x', 'mariadbd'])
    .catch(() => sh('pgrep', ['-x', 'mysqld']))
    .catch(() => '');
  const first = pid.split('\n')[0];
  if (!first) {
    machine.mariadbCpus = 'not found (not pinned)';
    return undefined;
  }
  const before = allowedCpus(Number(first));
  try {
    await sh('taskset', ['-a', '-p', '-c', '1', first]);
  } catch (error) {
    machine.mariadbCpus = `not pinned (${(error as Error).message.split('\n')[0]})`;
    return undefined;
  }
  machine.mariadbCpus = `1 (pid ${first}; was ${before}, restored after the run)`;
  log(`MariaDB (pid ${first}) pinned to core 1 for the run (was ${before})`);
  return async () => {
    await sh('taskset', ['-a', '-p', '-c', before, first]);
    log(`MariaDB affinity restored to ${before}`);
  };
}

/** Counters of statements executed by the whole MariaDB server (ours dominate during a run). */
export async function mariadbStatus(conn: mysql.Connection): Promise<Record<string, number>> {
  const [rows] = await conn.query(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions','Com_select','Com_insert','Com_update','Com_delete','Com_begin','Com_commit','Innodb_row_lock_waits','Innodb_row_lock_time')",
  );
  // Minus the statement just run on this connection (SHOW counts as a question).
  return Object.fromEntries(
    (rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, Number(r.Value)]),
  );
}

export async function freshMysqlDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^tessera_bench\w*$/.test(name))
    throw new Error(`--mysql-url: the database must be named tessera_bench… (it is dropped each run), got "${name}"`);
  const conn = await mysql.createConnection(serverUrl(url));
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
}

export type Machine = Awaited<ReturnType<typeof describeMachine>>;
