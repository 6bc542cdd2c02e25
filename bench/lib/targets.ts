// The servers under test: Tessera on SQLite or MariaDB and the bare provider, started, measured, profiled.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import mysql from 'mysql2/promise';
import { CpuProbe } from './cpu.js';
import type { FlowClient } from './flow.js';
import { freshMysqlDatabase, mariadbStatus, serverUrl } from './machine.js';
import type { LoadScenario, Options, TargetResult } from './options.js';
import { cli, exec, freePort, ROOT, rssMiB, type Server, sleep, startProcess, waitReady } from './proc.js';
import { summarise } from './profile.js';
import { runScenarios } from './scenarios.js';
import { accountsFor, BENCH_PASSWORD, fmt, log, running, state } from './state.js';

/** A target whose server is up, ready for scenarios; measurements go into `result`. */
export interface Live {
  result: TargetResult;
  client: FlowClient;
  accounts: { email: string; password: string }[];
  pid(): number;
  /** Starts the server again after someone else stopped it; undefined if it should not be restarted. */
  restart?: () => Promise<void>;
  exitedWithin(ms: number): Promise<string | undefined>;
  dbStatus?: () => Promise<Record<string, number>>;
  withMariadb: boolean;
  windows: { scenario: LoadScenario; fromUs: number; toUs: number }[];
  close(): Promise<void>;
}

/**
 * Fresh database, client and accounts (CLI), start-up measurements, then the bench server left running.
 * With `profileDir` the server runs under --cpu-prof and nothing is restarted.
 */
export async function prepareTessera(
  db: 'sqlite' | 'mysql',
  opts: Options,
  resultsDir: string,
  profileDir?: string,
): Promise<Live> {
  const label = db === 'sqlite' ? 'Tessera SQLite' : 'Tessera MariaDB';
  const result: TargetResult = {
    name: db === 'sqlite' ? 'tessera-sqlite' : 'tessera-mysql',
    label,
    load: {},
    cpu: {},
    attempts: {},
    queriesPerOp: {},
    notes: [],
  };
  log(`${profileDir ? 'profile run:' : '== setting up'} ${label}`);

  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  let tmp: string | undefined;
  let databaseUrl: string;
  if (db === 'sqlite') {
    tmp = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
    databaseUrl = `sqlite:${join(tmp, 'bench.sqlite')}`;
  } else {
    await freshMysqlDatabase(opts.mysqlUrl);
    databaseUrl = opts.mysqlUrl;
  }
  const env: Record<string, string> = {
    PATH: `${dirname(state.serverNode)}:${process.env.PATH ?? ''}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: issuer,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    DEMO: 'false',
    RATE_LIMIT_LOGIN: '1000000000',
    RATE_LIMIT_IP: '1000000000',
    // DESIGN §13 measures sign-in at m=7 MiB, t=5 (passwords.ts); config.ts's fallback may differ, so say it.
    ARGON2_MEMORY_KIB: '7168',
    ARGON2_ITERATIONS: '5',
  };
  const mine = new Set<Server>();
  const track = (srv: Server) => {
    running.add(srv);
    mine.add(srv);
    return srv;
  };
  const release = async (srv: Server) => {
    await srv.stop();
    running.delete(srv);
    mine.delete(srv);
  };
  let statusConn: mysql.Connection | undefined;
  const close = async () => {
    for (const srv of mine) await release(srv);
    await statusConn?.end().catch(() => undefined);
    statusConn = undefined;
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  };

  try {
    // Admin objects first, through the CLI, while no server runs (sql.js keeps the file in memory and
    // would overwrite what another process wrote).
    const t0 = performance.now();
    const out = await cli(
      [
        'clients:create',
        '--name',
        'bench',
        '--grant',
        'client_credentials',
        '--grant',
        'authorization_code',
        '--grant',
        'refresh_token',
        '--redirect-uri',
        `${issuer}/cb`,
        '--first-party',
      ],
      env,
    );
    const client: FlowClient = {
      issuer,
      clientId: /client_id:\s*(\S+)/.exec(out)![1]!,
      clientSecret: /client_secret:\s*(\S+)/.exec(out)![1]!,
      redirectUri: `${issuer}/cb`,
    };
    const accounts = accountsFor(opts.signinWorkers);
    // Each account is the admin of a tenant of its own, so every token with the tenants scope carries
    // active_tenant and all_tenants read from the memberships.
    const create = async (a: { email: string; password: string }, i: number) => {
      const created = await cli(
        ['accounts:create', '--email', a.email, '--name', `Bench ${i}`, '--password', a.password],
        env,
      );
      const id = /created account (\S+)/.exec(created)![1]!;
      await cli(['tenants:create', '--name', `Bench tenant ${i}`, '--admin-account', id], env);
    };
    if (db === 'mysql') await Promise.all(accounts.map(create));
    else for (const [i, a] of accounts.entries()) await create(a, i);
    log(
      `  client, ${accounts.length} account(s) and their tenants created in ${fmt((performance.now() - t0) / 1000, 1)} s`,
    );

    let coldMs: number | undefined;
    let warmMs: number | undefined;
    let rssAtRest: number | undefined;
    if (opts.only.includes('startup') && !profileDir) {
      const built = await compileServer();
      if (typeof built !== 'string') throw new Error(built.error);
      for (const phase of ['cold', 'warm'] as const) {
        const started = performance.now();
        const srv = track(
          startProcess(
            `${label} npm start`,
            ['npm', 'start'],
            env,
            0,
            join(resultsDir, `${result.name}-npm-start.log`),
          ),
        );
        const ms = await waitReady(srv, `${issuer}/readyz`, started);
        if (phase === 'cold') coldMs = ms;
        else {
          warmMs = ms;
          await sleep(2000);
          rssAtRest = rssMiB(await srv.pid(/^\S*node\s.*(server\/main\.ts|dist\/server\/main\.js)/));
        }
        await release(srv);
        log(
          `  npm start → ready (${phase === 'cold' ? 'first start: keys generated' : 'restart'}): ${fmt(ms)} ms${rssAtRest && phase === 'warm' ? `, RSS at rest ${fmt(rssAtRest, 1)} MiB` : ''}`,
        );
      }
      const dist = await compileServer();
      if (typeof dist !== 'string') result.compiled = dist;
      else {
        const started = performance.now();
        const srv = track(
          startProcess(
            `${label} compiled`,
            [state.serverNode, join(dist, 'server/main.js')],
            env,
            0,
            join(resultsDir, `${result.name}-compiled.log`),
          ),
        );
        try {
          const readyMs = await waitReady(srv, `${issuer}/readyz`, started);
          await sleep(2000);
          result.compiled = { readyMs, rssAtRestMiB: rssMiB(await srv.pid(/^\S*node\s.*server\/main\.js/)) };
          log(
            `  compiled (node dist/server/main.js) → ready: ${fmt(readyMs)} ms, RSS at rest ${fmt(result.compiled.rssAtRestMiB, 1)} MiB`,
          );
        } catch (error) {
          result.compiled = { error: (error as Error).message.slice(0, 300) };
        } finally {
          await release(srv);
        }
      }
    }

    const nodeArgs = profileDir ? [`--cpu-prof`, `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=500'] : [];
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const preload = (opts.tesseraImport ?? '')
      .split(',')
      .filter(Boolean)
      .flatMap((f) => ['--import', `./${f.replace(/^\.\//, '')}`]);
    const logFile = join(resultsDir, `${result.name}${profileDir ? '-profile' : ''}.log`);
    // The server under load is the compiled build, what `npm start` runs; experiments preload TypeScript
    // into it, so with --tessera-import it runs through tsx instead.
    const dist = preload.length ? undefined : await compileServer();
    const entry =
      typeof dist === 'string'
        ? [join(dist, 'server/main.js')]
        : ['--import', 'tsx', ...preload, 'bench/lib/tessera-main.ts'];
    const startServer = async () => {
      const started = performance.now();
      const srv = track(startProcess(label, [state.serverNode, ...nodeArgs, ...entry], env, 0, logFile));
      const ms = await waitReady(srv, `${issuer}/readyz`, started);
      await sleep(1000);
      return { srv, ms, pid: await srv.pid(/^\S*node\s.*(tessera-main\.ts|server\/main\.js)/) };
    };
    let server = await startServer();
    result.startup = {
      coldMs,
      warmMs,
      benchServerMs: server.ms,
      rssAtRestMiB: rssAtRest ?? rssMiB(server.pid),
      via: rssAtRest ? 'npm start' : entry.join(' ').replace(resultsDir, 'bench/results/<run>'),
    };
    statusConn = db === 'mysql' ? await mysql.createConnection(serverUrl(opts.mysqlUrl)) : undefined;
    const conn = statusConn;
    return {
      result,
      client,
      accounts,
      pid: () => server.pid,
      exitedWithin: (ms) => server.srv.exitedWithin(ms),
      restart: profileDir
        ? undefined
        : async () => {
            mine.delete(server.srv);
            running.delete(server.srv);
            server = await startServer();
          },
      dbStatus: conn ? () => mariadbStatus(conn) : undefined,
      withMariadb: db === 'mysql',
      windows: [],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function prepareBare(opts: Options, resultsDir: string): Promise<Live> {
  const result: TargetResult = {
    name: 'bare',
    label: 'bare oidc-provider',
    load: {},
    cpu: {},
    attempts: {},
    queriesPerOp: {},
    notes: [],
  };
  log('== setting up the bare oidc-provider (in-memory)');
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const client: FlowClient = {
    issuer,
    clientId: 'bench-client',
    clientSecret: 'bench-secret-0123456789-0123456789-0123456789',
    redirectUri: `${issuer}/cb`,
  };
  const startServer = async () => {
    const started = performance.now();
    const srv = startProcess(
      'bare',
      [state.serverNode, '--import', 'tsx', 'bench/bare-provider.ts'],
      {
        PORT: String(port),
        CLIENT_ID: client.clientId,
        CLIENT_SECRET: client.clientSecret,
        BENCH_PASSWORD,
        ARGON2_MEMORY_KIB: '7168',
        ARGON2_ITERATIONS: '5',
      },
      0,
      join(resultsDir, 'bare.log'),
    );
    running.add(srv);
    const ms = await waitReady(srv, `${issuer}/.well-known/openid-configuration`, started);
    await sleep(1000);
    return { srv, ms, pid: await srv.pid(/^\S*node\s.*bare-provider\.ts/) };
  };
  let server = await startServer();
  result.startup = {
    benchServerMs: server.ms,
    rssAtRestMiB: rssMiB(server.pid),
    via: 'node --import tsx bench/bare-provider.ts',
  };
  log(`  ready in ${fmt(server.ms)} ms, RSS at rest ${fmt(result.startup.rssAtRestMiB, 1)} MiB`);
  return {
    result,
    client,
    accounts: accountsFor(opts.signinWorkers),
    pid: () => server.pid,
    exitedWithin: (ms) => server.srv.exitedWithin(ms),
    restart: async () => {
      running.delete(server.srv);
      server = await startServer();
    },
    withMariadb: false,
    windows: [],
    close: async () => {
      await server.srv.stop();
      running.delete(server.srv);
    },
  };
}

/**
 * One scenario on one live target. A server stopped from outside (a shared machine) is restarted and the
 * scenario measured again, once.
 */
export async function runScenario(live: Live, scenario: LoadScenario, opts: Options): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const probe = new CpuProbe(live.pid(), live.withMariadb ? state.mariadbPid : undefined);
      live.windows.push(
        ...(await runScenarios(
          live.result,
          live.client,
          live.accounts,
          { ...opts, only: [scenario] },
          probe,
          live.dbStatus,
        )),
      );
      return;
    } catch (error) {
      const exit = await live.exitedWithin(5000);
      if (!exit || attempt > 1 || !live.restart || state.interrupted) throw error;
      const note = `the server was stopped from outside during ${scenario} (${exit}); restarted, ${scenario} measured again`;
      log(`  ${live.result.label}: ${note}`);
      live.result.notes.push(note);
      await live.restart();
    }
  }
}

export async function finish(live: Live): Promise<void> {
  if (live.result.startup) {
    try {
      live.result.startup.rssAfterLoadMiB = rssMiB(live.pid());
    } catch {
      /* gone */
    }
  }
  await live.close();
}

/** Profiling run for one database: same set-up, --cpu-prof, the given scenarios; returns per-scenario summaries. */
export async function profileTessera(
  db: 'sqlite' | 'mysql',
  scenarios: LoadScenario[],
  opts: Options,
  resultsDir: string,
) {
  const profileDir = join(resultsDir, `profile-${db}`);
  const live = await prepareTessera(db, { ...opts, only: scenarios }, resultsDir, profileDir);
  try {
    for (const s of scenarios) await runScenario(live, s, opts);
  } finally {
    await live.close();
  }
  // One file per thread (tsx's loader runs in a worker): the main thread's is the biggest.
  const file = readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(profileDir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (!file) throw new Error(`no .cpuprofile in ${profileDir}`);
  const profileStart = (JSON.parse(readFileSync(file, 'utf8')) as { startTime: number }).startTime;
  return live.windows.map((w) => {
    const summary = summarise(file, { fromUs: w.fromUs - profileStart, toUs: w.toUs - profileStart });
    writeFileSync(join(resultsDir, `profile-${db}-${w.scenario}.json`), JSON.stringify(summary, null, 2));
    return { title: `${live.result.label}: ${w.scenario}`, summary };
  });
}

let compiled: Promise<string | { error: string }> | undefined;

/**
 * `npm run build`, once per run: the dist/ that `npm start` runs (so its figures are of this code, not of an
 * older build) and that the server under load runs.
 */
function compileServer(): Promise<string | { error: string }> {
  compiled ??= (async () => {
    const out = join(ROOT, 'dist');
    log('  building server/ (npm run build) for npm start and the server under load');
    const r = await exec('npm', ['run', 'build'], 300_000);
    if (r.code !== 0 || !existsSync(join(out, 'server/main.js')))
      return { error: `npm run build failed (exit ${r.code}): ${r.output.slice(-300)}` };
    return out;
  })();
  return compiled;
}
