// Each figure against its target in DESIGN.md §13, and which scenarios to profile when one is missed.
import type { CpuUsage } from './cpu.js';
import type { LoadScenario, Options, TargetName, TargetResult } from './options.js';
import { fmt } from './state.js';

export interface Verdict {
  ok: boolean;
  why?: string;
  inconclusive?: boolean;
}

/** A miss measured while other work starved the server, where the figure scaled to a full core would pass. */
function verdict(reasons: string[], t: TargetResult, scenario: LoadScenario, v: number, min: number): Verdict {
  if (!reasons.length) return { ok: true };
  const u = t.cpu[scenario];
  if (u && starved(u) && (100 * v) / u.server >= min) {
    return {
      ok: false,
      inconclusive: true,
      why: `${reasons.join(', ')} measured, but the server had ${fmt(u.server)} % of core 0: ≈ ${fmt((100 * v) / u.server)} at a full core`,
    };
  }
  return { ok: false, why: reasons.join(', ') };
}

export interface Check {
  key: string;
  what: string;
  unit: string;
  target: string;
  values: Partial<Record<TargetName, number>>;
  ratio?: Partial<Record<TargetName, number>>;
  met: Partial<Record<TargetName, Verdict>>;
  scenario?: LoadScenario;
  note?: string;
}

export const rate = (t: TargetResult | undefined, s: LoadScenario) => {
  const r = t?.load[s];
  if (!r) return undefined;
  return 'okPerSecond' in r ? r.okPerSecond : r.perSecond;
};

export function evaluate(targets: TargetResult[], argon2?: { perSecond: number }): Check[] {
  const bare = targets.find((t) => t.name === 'bare');
  const tessera = targets.filter((t) => t.name !== 'bare');
  const checks: Check[] = [];
  const throughput = (
    key: LoadScenario,
    what: string,
    min: number,
    minRatio: number | undefined,
    target: string,
    base?: (t: TargetResult) => number | undefined,
  ) => {
    const c: Check = { key, what, unit: '/s', target, values: {}, ratio: {}, met: {}, scenario: key };
    for (const t of targets) c.values[t.name] = rate(t, key);
    for (const t of tessera) {
      const v = c.values[t.name];
      if (v === undefined) continue;
      const ref = base ? base(t) : rate(bare, key);
      const ratio = ref ? v / ref : undefined;
      c.ratio![t.name] = ratio;
      const reasons: string[] = [];
      if (v < min) reasons.push(`${fmt(v)} < ${fmt(min)}`);
      if (minRatio !== undefined && ratio !== undefined && ratio < minRatio)
        reasons.push(`${fmt(100 * ratio)} % < ${fmt(100 * minRatio)} %`);
      c.met[t.name] = verdict(reasons, t, key, v, min);
    }
    checks.push(c);
  };
  throughput('cc', 'client credentials → JWT ES256 access token', 1500, 0.85, '≥ 1,500 /s and ≥ 85 % of bare');
  throughput('refresh', 'refresh with rotation', 900, 0.7, '≥ 900 /s and ≥ 70 % of bare (MariaDB is the target)');
  const signin: Check = {
    key: 'signin',
    what: 'full password sign-in flow (authorize → sign in → code → tokens)',
    unit: '/s',
    target: `≥ 60 /s and ≥ 75 % of the argon2 limit${argon2 ? ` (${fmt(argon2.perSecond)} /s here)` : ''}`,
    values: {},
    ratio: {},
    met: {},
    scenario: 'signin',
    note: 'ratio here is to the argon2 limit, not to bare; bare = same flow with no pages or database, argon2 included',
  };
  for (const t of targets) signin.values[t.name] = rate(t, 'signin');
  for (const t of tessera) {
    const v = signin.values[t.name];
    if (v === undefined) continue;
    const ratio = argon2 ? v / argon2.perSecond : undefined;
    signin.ratio![t.name] = ratio;
    const reasons: string[] = [];
    if (v < 60) reasons.push(`${fmt(v)} < 60`);
    if (ratio !== undefined && ratio < 0.75) reasons.push(`${fmt(100 * ratio)} % < 75 %`);
    signin.met[t.name] = verdict(reasons, t, 'signin', v, 60);
  }
  checks.push(signin);
  checks.push({
    key: 'invitation',
    what: 'invitation redemption (accept, membership written)',
    unit: '/s',
    target: '≥ 300 /s, p99 < 50 ms at 32 concurrent',
    values: {},
    met: {},
    note: 'not yet built',
  });
  throughput('discovery', 'discovery', 4000, undefined, '≥ 4,000 /s');
  throughput('jwks', 'JWKS', 4000, undefined, '≥ 4,000 /s');
  const startup: Check = {
    key: 'startup',
    what: '`npm start` to ready',
    unit: 'ms',
    target: '< 3,000 ms',
    values: {},
    met: {},
  };
  const rss: Check = {
    key: 'rss',
    what: 'resident memory at rest',
    unit: 'MiB',
    target: '< 150 MB',
    values: {},
    met: {},
  };
  for (const t of targets) {
    if (!t.startup) continue;
    startup.values[t.name] = t.startup.warmMs ?? t.startup.benchServerMs;
    rss.values[t.name] = t.startup.rssAtRestMiB;
    if (t.name !== 'bare') {
      const ms = startup.values[t.name]!;
      startup.met[t.name] = { ok: ms < 3000, why: ms < 3000 ? undefined : `${fmt(ms)} ms` };
      const mb = (t.startup.rssAtRestMiB * 1024 * 1024) / 1e6;
      rss.met[t.name] = { ok: mb < 150, why: mb < 150 ? undefined : `${fmt(mb)} MB` };
    }
  }
  checks.push(startup, rss);
  return checks;
}

/** The measurement was probably cut short by other work on the machine. */
export function starved(u: CpuUsage): boolean {
  return u.server < 90 && u.others > 25;
}

export function profileScenarios(opts: Options, checks: Check[], db: 'sqlite' | 'mysql'): LoadScenario[] {
  const loadScenarios: LoadScenario[] = ['discovery', 'jwks', 'cc', 'refresh', 'signin'];
  if (opts.profile === 'none') return [];
  if (opts.profile === 'all') return loadScenarios.filter((s) => opts.only.includes(s));
  if (opts.profile !== 'auto')
    return opts.profile.split(',').filter((s): s is LoadScenario => (loadScenarios as string[]).includes(s));
  const name: TargetName = db === 'sqlite' ? 'tessera-sqlite' : 'tessera-mysql';
  return loadScenarios.filter((s) => checks.some((c) => c.scenario === s && c.met[name] && !c.met[name]!.ok));
}
