// CPU accounting from /proc: how busy the server under test was, and how much CPU everything else on the
// machine took during a measurement (other people's test runs skew a one-core benchmark).
import { readFileSync } from 'node:fs';

interface Snapshot {
  at: number;
  busy: number;
  procs: Map<number, number>;
  ioStallUs: number;
}

const HZ = 100; // USER_HZ on Linux

function machineBusy(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  void idle;
  void iowait;
  return user + nice + system + irq + softirq + steal;
}

/** Microseconds during which some task waited on I/O (pressure stall information), if the kernel has PSI. */
function ioStallUs(): number {
  try {
    return Number(/some .*total=(\d+)/.exec(readFileSync('/proc/pressure/io', 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function procTicks(pid: number | 'self'): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of stat(5))
  } catch {
    return 0;
  }
}

export interface CpuUsage {
  /** % of one core. */
  server: number;
  loadGenerator: number;
  mariadb: number;
  /** Everything else on the machine, % of one core. */
  others: number;
  /** % of the time some task on the machine was stalled on I/O (PSI); SQLite's file writes feel it. */
  ioStall: number;
  seconds: number;
}

export class CpuProbe {
  constructor(
    private readonly serverPid: number,
    private readonly mariadbPid?: number,
  ) {}

  alive(): boolean {
    try {
      process.kill(this.serverPid, 0);
      return true;
    } catch {
      return false;
    }
  }

  snapshot(): Snapshot {
    const procs = new Map<number, number>();
    procs.set(this.serverPid, procTicks(this.serverPid));
    procs.set(process.pid, procTicks('self'));
    if (this.mariadbPid) procs.set(this.mariadbPid, procTicks(this.mariadbPid));
    return { at: performance.now(), busy: machineBusy(), procs, ioStallUs: ioStallUs() };
  }

  usage(from: Snapshot, to: Snapshot = this.snapshot()): CpuUsage {
    const seconds = (to.at - from.at) / 1000;
    const pct = (ticks: number) => (seconds > 0 ? (100 * ticks) / HZ / seconds : 0);
    const d = (pid: number | undefined) => (pid ? (to.procs.get(pid) ?? 0) - (from.procs.get(pid) ?? 0) : 0);
    const server = d(this.serverPid);
    const self = d(process.pid);
    const db = d(this.mariadbPid);
    const ioStall = seconds > 0 ? (100 * (to.ioStallUs - from.ioStallUs)) / 1e6 / seconds : 0;
    return {
      server: pct(server),
      loadGenerator: pct(self),
      mariadb: pct(db),
      others: Math.max(0, pct(to.busy - from.busy - server - self - db)),
      ioStall,
      seconds,
    };
  }

  /** Waits (at most `maxS`) until the rest of the machine stays under `limitPct` of a core for a second. */
  async settle(maxS: number, limitPct = 25): Promise<{ waitedS: number; others: number }> {
    const start = performance.now();
    let others = 0;
    do {
      const a = this.snapshot();
      await new Promise((r) => setTimeout(r, 1000));
      others = this.usage(a).others;
      if (others < limitPct) break;
    } while ((performance.now() - start) / 1000 < maxS);
    return { waitedS: (performance.now() - start) / 1000, others };
  }
}
