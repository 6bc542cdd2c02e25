// The password sign-in flow as a browser does it, over plain HTTP: authorize → login page → POST
// credentials → back to the provider → code at the redirect URI → token exchange with PKCE.
import { createHash, randomBytes } from 'node:crypto';
import { findForm, type Page, UserAgent } from '../../test/support/user-agent.js';

export interface FlowClient {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
  token_type: string;
  scope?: string;
}

export class FlowError extends Error {
  constructor(
    readonly step: string,
    readonly status: number,
    detail: string,
  ) {
    super(`${step}: HTTP ${status} ${detail.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
}

const b64url = (buf: Buffer) => buf.toString('base64url');
function expectRedirect(step: string, reply: Page): string {
  if (reply.status < 300 || reply.status > 399 || !reply.location) throw new FlowError(step, reply.status, reply.html);
  return reply.location;
}

export function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
}

export const STEPS = ['authorize', 'login page', 'POST login', 'resume', 'token'] as const;
export type Step = (typeof STEPS)[number];

/**
 * Runs one complete sign-in in a fresh browser; returns the token response. Throws FlowError on any surprise.
 * `timings`, when given, receives each step's duration in ms.
 */
export async function signInFlow(
  client: FlowClient,
  email: string,
  password: string,
  scope = 'openid email profile',
  timings?: Partial<Record<Step, number>>,
): Promise<TokenSet> {
  // The test harness's browser: a cookie jar (names only, paths ignored) and manual redirects.
  const browser = new UserAgent(client.issuer);
  let mark = performance.now();
  const lap = (step: Step) => {
    const now = performance.now();
    if (timings) timings[step] = (timings[step] ?? 0) + now - mark;
    mark = now;
  };
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(12));
  const authorize = new URL(`${client.issuer}/auth`);
  for (const [k, v] of Object.entries({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: client.redirectUri,
    scope,
    state,
    nonce: b64url(randomBytes(12)),
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  }))
    authorize.searchParams.set(k, v);

  const interaction = expectRedirect('authorize', await browser.request(authorize.href));
  lap('authorize');
  const page = await browser.request(interaction);
  lap('login page');
  if (page.status !== 200) throw new FlowError('login page', page.status, page.html);
  let form: ReturnType<typeof findForm>;
  try {
    form = findForm(page.html, /\/login$/);
  } catch {
    throw new FlowError('login page', page.status, 'no login form');
  }
  if (form.hidden._csrf === undefined) throw new FlowError('login page', page.status, 'no login form with _csrf');

  const resume = expectRedirect(
    'login',
    await browser.request(new URL(form.action, interaction).href, { form: { ...form.hidden, email, password } }),
  );
  lap('POST login');
  let next = resume;
  // Back at the provider: it may hop once more (resume → redirect_uri); stop at the redirect URI.
  for (let hops = 0; !next.startsWith(client.redirectUri); hops++) {
    if (hops > 5) throw new FlowError('resume', 0, `too many redirects, last ${next}`);
    next = expectRedirect('resume', await browser.request(next));
  }
  lap('resume');
  const callback = new URL(next);
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== state) throw new FlowError('callback', 0, callback.search);

  const res = await fetch(`${client.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(client.clientId, client.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  const text = await res.text();
  lap('token');
  if (res.status !== 200) throw new FlowError('token', res.status, text);
  return JSON.parse(text) as TokenSet;
}

export interface FlowRunResult {
  workers: number;
  durationS: number;
  completed: number;
  failed: number;
  perSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Median duration of each step of the flow, ms. */
  stepsP50Ms: Record<Step, number>;
  firstErrors: string[];
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * N workers, each running sign-in flows back to back until the deadline (a flow in flight at the deadline
 * finishes and counts; the rate divides by the real elapsed time). Bounded: stops at `durationS`, or after
 * 50 failures in a row.
 */
export async function runFlows(opts: {
  client: FlowClient;
  accounts: { email: string; password: string }[];
  workers: number;
  durationS: number;
  onTick?: (elapsedS: number, completed: number) => void;
}): Promise<FlowRunResult> {
  const latencies: number[] = [];
  const steps = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
  const errors: string[] = [];
  let failed = 0;
  let failStreak = 0;
  const started = performance.now();
  const deadline = started + opts.durationS * 1000;
  const ticker = setInterval(() => opts.onTick?.((performance.now() - started) / 1000, latencies.length), 1000);
  const worker = async (w: number) => {
    const account = opts.accounts[w % opts.accounts.length]!;
    while (performance.now() < deadline && failStreak < 50) {
      const t0 = performance.now();
      try {
        const timings: Partial<Record<Step, number>> = {};
        await signInFlow(opts.client, account.email, account.password, undefined, timings);
        latencies.push(performance.now() - t0);
        for (const s of STEPS) steps[s].push(timings[s] ?? 0);
        failStreak = 0;
      } catch (error) {
        failed++;
        failStreak++;
        if (errors.length < 5) errors.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.workers }, (_, w) => worker(w)));
  clearInterval(ticker);
  const elapsed = (performance.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    workers: opts.workers,
    durationS: elapsed,
    completed: latencies.length,
    failed,
    perSecond: latencies.length / elapsed,
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? 0,
    },
    stepsP50Ms: Object.fromEntries(
      STEPS.map((s) => [
        s,
        percentile(
          [...steps[s]].sort((a, b) => a - b),
          50,
        ),
      ]),
    ) as Record<Step, number>,
    firstErrors: errors,
  };
}
