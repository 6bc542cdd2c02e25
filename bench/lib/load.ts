// autocannon runs (in this process), with a one-line progress report per second.
import autocannon from 'autocannon';

export interface LoadResult {
  title: string;
  /** Successful (2xx) responses per second over the measured duration. */
  okPerSecond: number;
  requestsPerSecondAvg: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  connections: number;
  raw: autocannon.Result;
}

export interface LoadOptions {
  title: string;
  url: string;
  connections: number;
  durationS: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  setupClient?: (client: autocannon.Client) => void;
  quiet?: boolean;
}

export async function load(opts: LoadOptions): Promise<LoadResult> {
  let count = 0;
  let second = 0;
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: opts.url,
      connections: opts.connections,
      duration: opts.durationS,
      pipelining: 1,
      method: opts.method ?? 'GET',
      headers: opts.headers,
      body: opts.body,
      setupClient: opts.setupClient,
      timeout: 10,
    },
    (error, result) => (error ? fail(error) : finish(result)),
  );
  instance.on('response', () => {
    count++;
  });
  instance.on('tick', () => {
    second++;
    if (!opts.quiet && process.stdout.isTTY)
      process.stdout.write(
        `\r    ${opts.title}: ${second}/${opts.durationS} s, ${count.toLocaleString('en')} req/s   `,
      );
    count = 0;
  });
  const raw = await done;
  if (!opts.quiet && process.stdout.isTTY) process.stdout.write('\r\x1b[K');
  const ok = raw['2xx'];
  return {
    title: opts.title,
    okPerSecond: ok / raw.duration,
    requestsPerSecondAvg: raw.requests.average,
    latencyMs: { p50: raw.latency.p50, p90: raw.latency.p90, p99: raw.latency.p99, max: raw.latency.max },
    total: raw.requests.total,
    ok,
    non2xx: raw.non2xx,
    errors: raw.errors,
    timeouts: raw.timeouts,
    durationS: raw.duration,
    connections: opts.connections,
    raw,
  };
}

/**
 * Refresh with rotation: every connection carries its own chain (each response's refresh_token is the next
 * request's), so every request spends a fresh, unused token. `chains` is updated in place, so a warm-up run
 * and the measured run continue the same chains. A failed refresh ends its chain (the next request would
 * replay a spent token, which revokes the grant): it is counted and that connection keeps failing visibly.
 */
export function refreshChains(
  chains: string[],
  authorization: string,
  onBroken: (status: number, body: string) => void,
) {
  let next = 0;
  return (client: autocannon.Client) => {
    const i = next++ % chains.length;
    client.setRequests([
      {
        method: 'POST',
        path: '/token',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        setupRequest: (req) => ({
          ...req,
          body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(chains[i]!)}`,
        }),
        onResponse: (status, body) => {
          if (status === 200) chains[i] = (JSON.parse(body) as { refresh_token: string }).refresh_token;
          else onBroken(status, body);
        },
      },
    ]);
  };
}
