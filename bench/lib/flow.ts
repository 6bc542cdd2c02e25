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

/** What the bench's flows ask for: the tenant claims too, so every issuance reads memberships. */
export const FLOW_SCOPE = 'openid email profile tenants';

/** A browser that has signed in once: its cookies carry the session silent authorizations reuse. */
export interface SignedIn {
  browser: UserAgent;
  tokens: TokenSet;
}

/** An authorization request with PKCE; `extra` adds parameters (e.g. prompt=none). */
function authorizationRequest(client: FlowClient, scope: string, extra: Record<string, string> = {}) {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(12));
  const url = new URL(`${client.issuer}/auth`);
  for (const [k, v] of Object.entries({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: client.redirectUri,
    scope,
    state,
    nonce: b64url(randomBytes(12)),
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    ...extra,
  }))
    url.searchParams.set(k, v);
  return { url: url.href, verifier, state };
}

/** The redirect back to the app: its code, exchanged at /token with the request's PKCE verifier. */
async function exchangeCode(
  client: FlowClient,
  callbackUrl: string,
  request: { verifier: string; state: string },
): Promise<TokenSet> {
  const callback = new URL(callbackUrl);
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== request.state)
    throw new FlowError('callback', 0, callback.search);
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
      code_verifier: request.verifier,
    }).toString(),
  });
  const text = await res.text();
  if (res.status !== 200) throw new FlowError('token', res.status, text);
  return JSON.parse(text) as TokenSet;
}

/**
 * Runs one complete sign-in in a fresh browser; returns the token response and the browser, whose session
 * later silent authorizations use. Throws FlowError on any surprise. `timings` receives each step's ms.
 */
export async function signIn(
  client: FlowClient,
  email: string,
  password: string,
  timings?: Partial<Record<Step, number>>,
): Promise<SignedIn> {
  // The test harness's browser: a cookie jar (names only, paths ignored) and manual redirects.
  const browser = new UserAgent(client.issuer);
  let mark = performance.now();
  const lap = (step: Step) => {
    const now = performance.now();
    if (timings) timings[step] = (timings[step] ?? 0) + now - mark;
    mark = now;
  };
  const request = authorizationRequest(client, FLOW_SCOPE);
  const interaction = expectRedirect('authorize', await browser.request(request.url));
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
  const tokens = await exchangeCode(client, next, request);
  lap('token');
  return { browser, tokens };
}

/** The token response of one complete sign-in in a fresh browser. */
export async function signInFlow(client: FlowClient, email: string, password: string): Promise<TokenSet> {
  return (await signIn(client, email, password)).tokens;
}

/**
 * Silent authorization, as an app renews its tokens with a hidden redirect: /auth with prompt=none in a browser
 * that has a session answers with a code at once (no page), which is exchanged for tokens.
 */
export async function silentFlow(
  client: FlowClient,
  browser: UserAgent,
  timings?: Partial<Record<Step, number>>,
): Promise<TokenSet> {
  const t0 = performance.now();
  const request = authorizationRequest(client, FLOW_SCOPE, { prompt: 'none' });
  const callback = expectRedirect('authorize', await browser.request(request.url));
  if (!callback.startsWith(client.redirectUri) || new URL(callback).searchParams.has('error'))
    throw new FlowError('authorize', 0, `not a code: ${callback.slice(0, 200)}`);
  const t1 = performance.now();
  const tokens = await exchangeCode(client, callback, request);
  if (timings) {
    timings.authorize = t1 - t0;
    timings.token = performance.now() - t1;
  }
  return tokens;
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
 * N workers, each running one kind of flow back to back until the deadline (a flow in flight at the deadline
 * finishes and counts; the rate divides by the real elapsed time). `prepare` runs once per worker before the
 * clock starts (e.g. the sign-in whose session silent flows reuse). Bounded: stops at `durationS`, or after
 * 50 failures in a row.
 */
export async function runFlows<T>(opts: {
  workers: number;
  durationS: number;
  prepare: (worker: number) => Promise<T>;
  flow: (prepared: T, timings: Partial<Record<Step, number>>) => Promise<unknown>;
  onTick?: (elapsedS: number, completed: number) => void;
}): Promise<FlowRunResult> {
  const latencies: number[] = [];
  const steps = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
  const errors: string[] = [];
  let failed = 0;
  let failStreak = 0;
  const prepared = await Promise.all(Array.from({ length: opts.workers }, (_, w) => opts.prepare(w)));
  const started = performance.now();
  const deadline = started + opts.durationS * 1000;
  const ticker = setInterval(() => opts.onTick?.((performance.now() - started) / 1000, latencies.length), 1000);
  const worker = async (w: number) => {
    while (performance.now() < deadline && failStreak < 50) {
      const t0 = performance.now();
      try {
        const timings: Partial<Record<Step, number>> = {};
        await opts.flow(prepared[w]!, timings);
        latencies.push(performance.now() - t0);
        for (const s of STEPS) if (timings[s] !== undefined) steps[s].push(timings[s]);
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
