// What the whole run shares: the servers it started (stopped on exit or interrupt) and settings chosen in main().
import type { Server } from './proc.js';

export const running = new Set<Server>();

export const state = {
  /** The node binary the servers run on (--server-node), and its folder first on PATH for `npm start`. */
  serverNode: process.execPath,
  mariadbPid: undefined as number | undefined,
  interrupted: false,
  restorePriority: undefined as (() => void) | undefined,
  restoreMariadb: undefined as (() => Promise<void>) | undefined,
};

export const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
export const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n)
    ? '–'
    : n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function cleanup() {
  for (const s of running) await s.stop().catch(() => undefined);
  running.clear();
  await state.restoreMariadb?.().catch(() => undefined);
  state.restoreMariadb = undefined;
  state.restorePriority?.();
  state.restorePriority = undefined;
}

export const BENCH_PASSWORD = 'bench-password-1';
export const accountsFor = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ email: `bench-${i}@bench.test`, password: BENCH_PASSWORD }));
