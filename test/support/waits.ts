// Bounded waits for tests: every wait for a process, its output or a page has a limit, and running
// past it fails with a message that says what did not happen (instead of hanging until CI gives up).
import { type ChildProcess, execFile, type ExecFileOptions } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** How long a test waits for a page or an API answer from a server on this machine. */
export const PAGE_TIMEOUT_MS = 30_000;

/** `promise`'s value, or a rejection "timed out after N s waiting for <what>" once `ms` have passed. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** fetch that gives up after `ms` and says which request got no answer. */
export async function fetchWithin(url: string | URL, init: RequestInit = {}, ms = PAGE_TIMEOUT_MS): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
  } catch (error) {
    if ((error as Error).name !== 'TimeoutError') throw error;
    throw new Error(`timed out after ${ms / 1000} s waiting for an answer to ${init.method ?? 'GET'} ${String(url)}`);
  }
}

/** Collects a child's stdout and stderr, and waits (bounded) for a line of it or for its exit. */
export class ProcessWatch {
  private text = '';

  constructor(
    readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.text += chunk));
    child.stderr?.on('data', (chunk: Buffer) => (this.text += chunk));
  }

  output(): string {
    return this.text;
  }

  /** Resolves once the output matches; rejects, with the output so far, when the process exits first or `ms` pass. */
  async waitForOutput(pattern: RegExp, ms: number): Promise<void> {
    if (pattern.test(this.text)) return;
    const { child } = this;
    let onData = () => {};
    let onExit = () => {};
    const seen = new Promise<void>((resolve, reject) => {
      onData = () => pattern.test(this.text) && resolve();
      onExit = () =>
        reject(
          new Error(
            `${this.name} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${this.text}`,
          ),
        );
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', onExit);
    });
    try {
      await within(ms, `${this.name} to print ${pattern}; its output so far:\n${this.text}`, seen);
    } finally {
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    }
  }

  /** The exit code (or signal name); after `ms` the process is killed and the wait fails. */
  async waitForExit(ms: number): Promise<number | string> {
    const { child } = this;
    const exited = () => child.exitCode ?? child.signalCode;
    if (exited() !== null) return exited()!;
    const exit = new Promise<number | string>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal!)),
    );
    try {
      return await within(ms, `${this.name} to exit`, exit);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }
}

/**
 * Runs a command to its end, like promisified execFile (rejects on a non-zero exit, with `code`,
 * `stdout` and `stderr`), but kills it after `timeoutMs` and says so.
 */
export async function runWithin(
  timeoutMs: number,
  file: string,
  args: string[],
  options: ExecFileOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      ...options,
      encoding: 'utf8',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    return { stdout, stderr };
  } catch (error) {
    const failed = error as Error & { killed?: boolean; stdout?: string; stderr?: string };
    if (!failed.killed) throw error;
    throw new Error(
      `timed out after ${timeoutMs / 1000} s waiting for \`${[file, ...args].join(' ')}\` to finish; its output:\n${failed.stdout}${failed.stderr}`,
    );
  }
}
