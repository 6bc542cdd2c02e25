// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per package, and inclusive time
// of Tessera's own functions, over a time window (the load, not the start-up).
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  where: string;
  ms: number;
  pct: number;
}
export interface ProfileSummary {
  windowMs: number;
  busyPct: number;
  selfTop: Row[];
  byPackage: Row[];
  inclusiveTessera: Row[];
  inclusiveLibraries: Row[];
}

function where(url: string): string {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (path.startsWith('node:')) return path;
  const server = path.indexOf('/server/');
  if (server !== -1) return `tessera:${path.slice(server + 1)}`;
  const bench = path.indexOf('/bench/');
  if (bench !== -1) return `bench:${path.slice(bench + 1)}`;
  return path.split('/').slice(-2).join('/');
}

/** Where self time goes: a package, Tessera's own code, a Node internal module, wasm (sql.js's SQLite), native. */
function pkg(url: string): string {
  const w = where(url);
  if (w.startsWith('tessera:')) return 'tessera (server/)';
  if (w.startsWith('bench:')) return 'bench';
  if (w.startsWith('wasm')) return 'wasm (sql.js SQLite engine)';
  return w;
}

/**
 * `fromUs`/`toUs`: the window in the profile's own clock (microseconds since its start). Samples outside are
 * ignored. "(idle)" counts as not busy; "(garbage collector)" and "(program)" are kept as their own rows.
 */
export function summarise(file: string, window?: { fromUs: number; toUs: number }, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfUs = new Map<number, number>();
  let t = 0;
  let windowUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    // A sample's weight is the time until the next one.
    const weight = profile.timeDeltas[i + 1] ?? dt;
    const id = profile.samples[i]!;
    windowUs += weight;
    if (byId.get(id)!.callFrame.functionName === '(idle)') idleUs += weight;
    selfUs.set(id, (selfUs.get(id) ?? 0) + weight);
  }
  const busyUs = windowUs - idleUs;
  // tsx transpiles each file onto one line and the profile has no source maps: Tessera's functions are
  // counted per file; everything else per function and line.
  const key = (f: CallFrame) => {
    const at = where(f.url);
    return at.startsWith('tessera:')
      ? `(file)\t${at}`
      : `${f.functionName || '(anonymous)'}\t${at}:${f.lineNumber + 1}`;
  };

  const selfByFn = new Map<string, number>();
  const selfByPkg = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    selfByFn.set(key(node.callFrame), (selfByFn.get(key(node.callFrame)) ?? 0) + us);
    const p = node.callFrame.url ? pkg(node.callFrame.url) : node.callFrame.functionName || '(native)';
    selfByPkg.set(p, (selfByPkg.get(p) ?? 0) + us);
    // Inclusive: every distinct function on the stack gets the sample once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const rows = (m: Map<string, number>, filter: (name: string, at: string) => boolean = () => true, n = top): Row[] =>
    [...m]
      .map(([k, us]) => {
        const [name, at] = k.split('\t');
        return { name: name!, where: at ?? '', ms: us / 1000, pct: busyUs ? (100 * us) / busyUs : 0 };
      })
      .filter((r) => filter(r.name, r.where))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, n);
  const isLib = (at: string) =>
    !at.startsWith('tessera:') && !at.startsWith('(native)') && !at.startsWith('node:') && at !== '';
  return {
    windowMs: windowUs / 1000,
    busyPct: windowUs ? (100 * busyUs) / windowUs : 0,
    selfTop: rows(selfByFn),
    byPackage: rows(selfByPkg, () => true, 15),
    inclusiveTessera: rows(inclusive, (_n, at) => at.startsWith('tessera:'), 15),
    // Library entry points worth naming (time spent inside them, including what they call).
    inclusiveLibraries: rows(
      inclusive,
      (name, at) =>
        isLib(at) &&
        /^(upsert|find|findOne|findOneBy|update|delete|query|execute|save|export|autoSave|consume|sign|signJWT|render|renderString|verify|hash|handle|dispatch|tokenHandler|refreshTokenHandler|clientCredentialsHandler|authorizationCodeHandler|findAccount|getValueAndPayload|jwtSign|runExclusive|write)$/.test(
          name,
        ),
      20,
    ),
  };
}

export function profileMarkdown(title: string, s: ProfileSummary): string {
  const table = (rows: Row[], head: string) =>
    [
      `| ${head} | where | ms | % of busy |`,
      '|---|---|---:|---:|',
      ...rows.map((r) => `| \`${r.name}\` | ${r.where} | ${r.ms.toFixed(0)} | ${r.pct.toFixed(1)} |`),
    ].join('\n');
  const pkgTable = [
    '| package | self ms | % of busy |',
    '|---|---:|---:|',
    ...s.byPackage.map((r) => `| ${r.name} | ${r.ms.toFixed(0)} | ${r.pct.toFixed(1)} |`),
  ].join('\n');
  return [
    `#### ${title}`,
    '',
    `Window ${(s.windowMs / 1000).toFixed(1)} s, CPU busy ${s.busyPct.toFixed(0)} % of it.`,
    '',
    '<details><summary>Self time by package</summary>',
    '',
    pkgTable,
    '',
    '</details>',
    '',
    '<details><summary>Top self time by function</summary>',
    '',
    table(s.selfTop.slice(0, 20), 'function'),
    '',
    '</details>',
    '',
    '<details><summary>Inclusive time: Tessera files (synchronous stacks only)</summary>',
    '',
    table(s.inclusiveTessera, 'file'),
    '',
    '</details>',
    '',
    '<details><summary>Inclusive time: library entry points</summary>',
    '',
    table(s.inclusiveLibraries, 'function'),
    '',
    '</details>',
    '',
  ].join('\n');
}
