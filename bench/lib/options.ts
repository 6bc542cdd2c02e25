// The bench's command line, scenario names and the shape of one target's results.
import { readFileSync } from 'node:fs';
import type { FlowRunResult } from './flow.js';
import type { LoadResult } from './load.js';
import type { CpuUsage } from './cpu.js';

export const SCENARIOS = [
  'discovery',
  'jwks',
  'cc',
  'refresh',
  'signin',
  'silent',
  'userinfo',
  'redemption',
  'startup',
] as const;
export type Scenario = (typeof SCENARIOS)[number];
export type LoadScenario = Exclude<Scenario, 'startup' | 'redemption'>;
export const LOAD_SCENARIOS: LoadScenario[] = ['discovery', 'jwks', 'cc', 'refresh', 'signin', 'silent', 'userinfo'];
export type TargetName = 'tessera-sqlite' | 'tessera-mysql' | 'bare';

/** `--help` prints the `//` header of the entry script (bench/run.ts). */
export function parseArgs(argv: string[]) {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const has = (name: string) => argv.includes(`--${name}`);
  if (has('help')) {
    process.stdout.write(
      `${readFileSync(process.argv[1]!, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('//'))
        .join('\n')}\n`,
    );
    process.exit(0);
  }
  const db = get('db') ?? 'both';
  if (!['sqlite', 'mysql', 'both'].includes(db)) throw new Error('--db sqlite|mysql|both');
  const only = (get('only') ?? SCENARIOS.join(',')).split(',').filter(Boolean) as Scenario[];
  for (const s of only)
    if (!SCENARIOS.includes(s)) throw new Error(`--only: unknown scenario ${s} (${SCENARIOS.join(', ')})`);
  const num = (name: string, fallback: number) => {
    const v = Number(get(name) ?? fallback);
    if (!Number.isFinite(v) || v <= 0 || v > 600) throw new Error(`--${name}: a number of at most 600`);
    return v;
  };
  return {
    dbs: (db === 'both' ? ['sqlite', 'mysql'] : [db]) as ('sqlite' | 'mysql')[],
    durationS: num('duration', 10),
    warmupS: Number(get('warmup') ?? 2),
    connections: num('connections', 16),
    signinWorkers: num('signin-workers', 8),
    only,
    profile: get('profile') ?? 'auto',
    bare: !has('no-bare'),
    pinMariadb: !has('no-pin-mariadb'),
    settleS: Number(get('settle') ?? 20),
    repeat: num('repeat', 1),
    nice: has('nice'),
    mysqlUrl: get('mysql-url') ?? 'mysql://root@127.0.0.1:3306/tessera_bench',
    tesseraImport: get('tessera-import'),
    serverNode: get('server-node'),
  };
}

export type Options = ReturnType<typeof parseArgs>;

export interface TargetResult {
  name: TargetName;
  label: string;
  load: Partial<Record<LoadScenario, LoadResult | FlowRunResult>>;
  cpu: Partial<Record<LoadScenario, CpuUsage & { settleWaitS: number }>>;
  /** Every measured attempt's rate (with --repeat), the best of which is in `load`. */
  attempts: Partial<Record<LoadScenario, number[]>>;
  compiled?: { readyMs: number; rssAtRestMiB: number } | { error: string };
  /** MariaDB only: statements per operation (global status deltas; other clients of the server add noise). */
  queriesPerOp: Partial<Record<LoadScenario, Record<string, number>>>;
  startup?: {
    coldMs?: number;
    warmMs?: number;
    benchServerMs: number;
    rssAtRestMiB: number;
    rssAfterLoadMiB?: number;
    via: string;
  };
  seedMs?: number;
  brokenRefreshChains?: number;
  notes: string[];
}
