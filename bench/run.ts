// Tessera's benchmark (DESIGN.md §13): Tessera on SQLite and on MariaDB against a bare oidc-provider, one core each.
//
//   npm run bench -- [--db sqlite|mysql|both] [--duration 10] [--warmup 2] [--connections 16]
//                    [--only discovery,jwks,cc,refresh,signin,silent,userinfo,redemption,startup] [--signin-workers 8]
//                    [--profile auto|none|all|cc,refresh,...] [--no-bare] [--no-pin-mariadb]
//                    [--settle 20] [--repeat 1] [--nice] [--mysql-url mysql://root@127.0.0.1:3306/tessera_bench]
//   npm run bench -- --report-only bench/results/<timestamp>   (REPORT.md again from that run's JSON)
//                    [--server-node /path/to/node]   (the servers' Node; default: the one running the bench)
//                    [--tessera-import bench/experiments/<file>.ts[,…]]   (experiments preloaded into Tessera;
//                     their report goes to bench/results/<timestamp>/REPORT.md, not bench/REPORT.md)
//
// Pinning: the servers run under `taskset -c 0`; this process (the load generator: autocannon and the
// sign-in driver) re-executes itself under `taskset -c 1`; MariaDB's threads are moved to core 1 for the
// run and given their old affinity back at the end (--no-pin-mariadb leaves them alone).
// Other work on the machine skews a one-core benchmark: before each scenario the run waits (at most
// --settle seconds) for the rest of the machine to go quiet, and the report shows how much CPU others took
// during each measurement; --repeat N measures each scenario N times and keeps the best. --nice runs the
// servers and the load generator at nice -10 (it slows everybody else's work on the machine meanwhile).
// `startup` also compiles server/ with tsc into bench/results/<timestamp>/dist and times `node dist/server/main.js`.
// Output: bench/REPORT.md (overwritten) and raw JSON plus CPU profiles under bench/results/<timestamp>/.
// Everything is on 127.0.0.1 and every loop is bounded by a duration or a count.
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMachine, pinMariadb } from './lib/machine.js';
import { LOAD_SCENARIOS, type Options, parseArgs } from './lib/options.js';
import type { LoadResult } from './lib/load.js';
import { allowedCpus, exec, raisePriority, ROOT, sh } from './lib/proc.js';
import type { ProfileSummary } from './lib/profile.js';
import { renderReport } from './lib/report.js';
import { cleanup, fmt, log, state } from './lib/state.js';
import { finish, type Live, prepareBare, prepareTessera, profileTessera, runScenario } from './lib/targets.js';
import { evaluate, profileScenarios, type RedemptionResult } from './lib/verdicts.js';

async function main(opts: Options) {
  process.on('SIGINT', () => {
    state.interrupted = true;
    log('interrupted: stopping servers');
    void cleanup().then(() => process.exit(130));
  });
  process.on('SIGTERM', () => {
    state.interrupted = true;
    void cleanup().then(() => process.exit(143));
  });

  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const resultsDir = join(ROOT, 'bench', 'results', stamp);
  mkdirSync(resultsDir, { recursive: true });

  if (opts.serverNode) state.serverNode = opts.serverNode;
  const machine = await describeMachine(opts);
  if (opts.dbs.includes('mysql'))
    state.mariadbPid =
      Number(
        (
          await sh('pgrep', ['-x', 'mariadbd'])
            .catch(() => sh('pgrep', ['-x', 'mysqld']))
            .catch(() => '')
        ).split('\n')[0],
      ) || undefined;
  if (opts.nice) {
    const raised = raisePriority(-10);
    state.restorePriority = raised.restore;
    log(`priority raised: ${raised.done} (servers inherit it)`);
  }
  log(
    `Tessera bench: ${machine.cpu}, ${machine.nproc} cores, Node ${machine.node}; load generator on cores ${machine.loadCpus}`,
  );
  log(`results in ${resultsDir}`);

  try {
    if (opts.dbs.includes('mysql') && opts.pinMariadb) state.restoreMariadb = await pinMariadb(machine);

    let argon2: { perSecond: number; msEach: number } | undefined;
    if (opts.only.includes('signin')) {
      log('argon2 limit: argon2id m=7168 KiB t=5 verifications on core 0 for 3 s');
      const out = await sh('taskset', [
        '-c',
        '0',
        state.serverNode,
        '--import',
        'tsx',
        join(ROOT, 'bench/argon2-rate.ts'),
      ]);
      argon2 = JSON.parse(out) as { perSecond: number; msEach: number };
      log(`  ${fmt(argon2.perSecond)} verifications/s (${fmt(argon2.msEach, 1)} ms each)`);
    }

    // Every server up at once (idle ones cost nothing), then each scenario on each target back to back:
    // Tessera and the bare provider are compared within a minute of each other, not ten.
    const lives: Live[] = [];
    try {
      for (const db of opts.dbs) lives.push(await prepareTessera(db, opts, resultsDir));
      if (opts.bare) lives.push(await prepareBare(opts, resultsDir));
      for (const scenario of LOAD_SCENARIOS.filter((s) => opts.only.includes(s))) {
        log(`== ${scenario}`);
        for (const live of lives) await runScenario(live, scenario, opts);
      }
    } finally {
      for (const live of lives) await finish(live);
    }
    const targets = lives.map((l) => l.result);
    for (const t of targets) {
      writeFileSync(join(resultsDir, `${t.name}.json`), JSON.stringify(t, stripRaw, 2));
      if (t.startup?.rssAfterLoadMiB) log(`${t.label}: RSS after the load ${fmt(t.startup.rssAfterLoadMiB, 1)} MiB`);
    }

    const redemption = opts.only.includes('redemption') ? await measureRedemption(opts, resultsDir) : [];
    const checks = evaluate(targets, argon2, redemption);
    // Profile Tessera where it misses a target: a fresh server with --cpu-prof runs those scenarios again.
    const profiles: { title: string; summary: ProfileSummary }[] = [];
    for (const db of opts.dbs) {
      const wanted = profileScenarios(opts, checks, db);
      if (!wanted.length) continue;
      log(`profiling Tessera on ${db}: ${wanted.join(', ')}`);
      profiles.push(...(await profileTessera(db, wanted, opts, resultsDir)));
    }
    const argv = process.argv.slice(2);
    writeFileSync(
      join(resultsDir, 'summary.json'),
      JSON.stringify({ machine, opts, argv, argon2, targets, redemption, checks, profiles }, stripRaw, 2),
    );

    const report = renderReport({ machine, opts, argon2, targets, redemption, checks, profiles, stamp, argv });
    // An experiment's report stays with its results: bench/REPORT.md is for Tessera as built.
    const reportPath = opts.tesseraImport ? join(resultsDir, 'REPORT.md') : join(ROOT, 'bench', 'REPORT.md');
    writeFileSync(reportPath, report);
    process.stdout.write(`\n${report}\n`);
    log(`wrote ${reportPath.replace(`${ROOT}`, '')}`);
  } finally {
    await cleanup();
  }
}

/** bench/redemption.ts on core 0, once per database, with the run's duration: 32 concurrent accepts of one invitation. */
async function measureRedemption(opts: Options, resultsDir: string): Promise<RedemptionResult[]> {
  const results: RedemptionResult[] = [];
  for (const db of opts.dbs) {
    log(`== invitation redemption on ${db}: 32 concurrent accepts for ${opts.durationS} s`);
    const out = join(resultsDir, `redemption-${db}.json`);
    const script = join(ROOT, 'bench/redemption.ts');
    const args = ['--db', db, '--concurrency', '32', '--seconds', String(opts.durationS), '--out', out];
    // Creating the accepting accounts first takes a while: bounded at five minutes.
    const run = await exec('taskset', ['-c', '0', state.serverNode, '--import', 'tsx', script, ...args], 300_000);
    process.stdout.write(run.output);
    if (run.code !== 0) throw new Error(`bench/redemption.ts on ${db} failed`);
    results.push(JSON.parse(readFileSync(out, 'utf8')) as RedemptionResult);
  }
  return results;
}

function stripRaw(key: string, value: unknown) {
  return key === 'raw'
    ? {
        requests: (value as LoadResult['raw']).requests,
        latency: (value as LoadResult['raw']).latency,
        statusCodeStats: (value as LoadResult['raw']).statusCodeStats,
      }
    : value;
}

// ---------------------------------------------------------------- entry

// Re-run under `taskset -c 1` so the load generator never shares core 0 with the server under test.
if (cpus().length >= 2 && allowedCpus() !== '1' && !process.env.BENCH_NO_REPIN) {
  const child = spawn(
    'taskset',
    ['-c', '1', process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, BENCH_NO_REPIN: '1' },
    },
  );
  process.on('SIGINT', () => {}); // the child gets it from the terminal and cleans up
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  const reportOnly = process.argv.indexOf('--report-only');
  if (reportOnly !== -1) rerender(process.argv[reportOnly + 1]);
  else await main(parseArgs(process.argv.slice(2)));
}

/** `--report-only bench/results/<timestamp>`: renders REPORT.md again from a run's summary.json (e.g. after editing findings.md). */
function rerender(dir: string | undefined) {
  if (!dir || !existsSync(join(dir, 'summary.json')))
    throw new Error('--report-only <results folder with a summary.json>');
  const saved = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Parameters<typeof renderReport>[0];
  const stamp = dir.replace(/\/+$/, '').split('/').at(-1)!;
  const report = renderReport({ ...saved, checks: evaluate(saved.targets, saved.argon2, saved.redemption), stamp });
  const out = saved.opts.tesseraImport ? join(dir, 'REPORT.md') : join(ROOT, 'bench', 'REPORT.md');
  writeFileSync(out, report);
  process.stdout.write(`${report}\n`);
  log(`wrote ${out.replace(ROOT, '')} from ${dir}`);
}
