// Work a request starts but does not wait for: it runs after the answer has been sent, so neither the
// answer nor its timing can tell what the work found (e.g. whether an address has an account).
import { setImmediate as afterThisTurn } from 'node:timers/promises';

export interface Later {
  /** Runs `task` after the current answer; never throws, never waits for it. */
  add(task: () => Promise<void>): void;
  /** Resolves once every task added so far has finished (shutdown, tests). */
  settled(): Promise<void>;
}

/**
 * In this process, after the answer. A task is lost if the process dies first (the person asks again);
 * past `limit` tasks in flight (a flood the rate limits let through) new ones are dropped and reported.
 */
export class AfterAnswer implements Later {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly onError: (error: unknown) => void = (error) => process.emitWarning(String(error)),
    private readonly limit = 1000,
  ) {}

  add(task: () => Promise<void>): void {
    if (this.pending.size >= this.limit) {
      this.onError(new Error(`more than ${this.limit} deferred tasks in flight; one was dropped`));
      return;
    }
    const run: Promise<void> = afterThisTurn()
      .then(task)
      .catch(this.onError)
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all(this.pending);
  }
}
