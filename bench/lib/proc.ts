// Child processes for the bench: servers pinned to a core, readiness, resident memory, clean stops.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority as osSetPriority } from 'node:os';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

export const ROOT = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

let autogroupNice: number | undefined;

/**
 * With sched_autogroup (the default on desktop-ish kernels) a process's nice value only counts inside its
 * session's group; between sessions the group's own nice decides. Sets both for this process and
 * remembers it for the servers started later (each in its own session).
 */
export function raisePriority(nice: number): { done: string; restore(): void } {
  const done: string[] = [];
  try {
    osSetPriority(0, nice);
    done.push(`nice ${nice}`);
  } catch (e) {
    done.push(`nice failed: ${(e as Error).message}`);
  }
  // This session's group also holds the shell that started the bench: give it its old value back at the end.
  const before = /nice\s+(-?\d+)/.exec(readAutogroup(process.pid))?.[1];
  if (setAutogroupNice(process.pid, nice)) done.push(`autogroup nice ${nice}`);
  autogroupNice = nice;
  return {
    done: done.join(', '),
    restore: () => {
      if (before !== undefined) setAutogroupNice(process.pid, Number(before));
    },
  };
}

function readAutogroup(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/autogroup`, 'utf8');
  } catch {
    return '';
  }
}

function setAutogroupNice(pid: number, nice: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Server {
  name: string;
  child: ChildProcess;
  /** The pid to measure: the node process whose command line matches (with `npm start`, npm's grandchild). */
  pid(command: RegExp): Promise<number>;
  output: string[];
  stop(): Promise<void>;
  /** Resolves with how the process ended if it ends within `ms` (or already has), else undefined. */
  exitedWithin(ms: number): Promise<string | undefined>;
}

/**
 * Starts `command` in its own process group (so a stop reaches npm's children too), collecting its output.
 * `core` pins it with taskset.
 */
export function startProcess(
  name: string,
  command: string[],
  env: Record<string, string>,
  core?: number,
  logFile?: string,
): Server {
  const argv = core === undefined ? command : ['taskset', '-c', String(core), ...command];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // detached = a new session, hence a new scheduler autogroup: give it the priority this process has.
  if (autogroupNice !== undefined) setAutogroupNice(child.pid!, autogroupNice);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (logFile) appendFileSync(logFile, chunk);
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let stopping = false;
  let ending: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      ending = signal ? `signal ${signal}` : `exit code ${code}`;
      if (!stopping)
        process.stderr.write(
          `\n${name} exited unexpectedly (${signal ?? code}); last output:\n${output.join('').slice(-2000)}\n`,
        );
      if (logFile)
        appendFileSync(
          logFile,
          `\n[bench] exited: ${signal ?? code}${stopping ? ' (stopped by the bench)' : ' (UNEXPECTED)'}\n`,
        );
      resolve();
    }),
  );
  return {
    name,
    child,
    output,
    async pid(command: RegExp) {
      // Walk down from the spawned process (npm → sh → node, or taskset exec'ing node) to the one whose
      // command line matches; not into the server's own children (tsx's esbuild service).
      let pid = child.pid!;
      for (let i = 0; i < 5 && !command.test(cmdline(pid)); i++) {
        const kids = await run('pgrep', ['-P', String(pid)]).then(
          (r) => r.stdout.trim().split('\n').filter(Boolean).map(Number),
          () => [] as number[],
        );
        const next = kids.find((k) => command.test(cmdline(k))) ?? (kids.length === 1 ? kids[0] : undefined);
        if (next === undefined) break;
        pid = next;
      }
      if (!command.test(cmdline(pid)))
        throw new Error(`${name}: no process matching ${command} under pid ${child.pid}`);
      return pid;
    },
    async exitedWithin(ms) {
      await Promise.race([exited, sleep(ms)]);
      return ending;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timeout = sleep(15_000).then(() => 'timeout');
      if ((await Promise.race([exited.then(() => 'exited'), timeout])) === 'timeout') {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
        await exited;
      }
    },
  };
}

/** Polls `url` until it answers 200 (every 10 ms, bounded by `timeoutMs`); returns ms since `since`. */
export async function waitReady(server: Server, url: string, since: number, timeoutMs = 60_000): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    if (server.child.exitCode !== null)
      throw new Error(`${server.name} exited (${server.child.exitCode}):\n${server.output.join('').slice(-3000)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      /* not listening yet */
    }
    await sleep(10);
  }
  throw new Error(`${server.name} not ready after ${timeoutMs} ms:\n${server.output.join('').slice(-3000)}`);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Resident set size in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export function allowedCpus(pid: number | 'self' = 'self'): string {
  return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
}

/** Runs the admin CLI with the server's environment; returns stdout. */
export async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return stdout;
}

export async function sh(cmd: string, args: string[]): Promise<string> {
  return (await run(cmd, args, { timeout: 30_000 })).stdout.trim();
}

/** Runs a command to completion (bounded); never throws on a non-zero exit. */
export async function exec(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message}` };
  }
}
