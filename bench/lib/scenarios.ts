// The measured scenarios on one target: discovery, JWKS, client credentials, refresh chains, sign-in flows.
import { basicAuth, type FlowClient, type FlowRunResult, runFlows, signIn, signInFlow, silentFlow } from './flow.js';
import type { CpuProbe } from './cpu.js';
import { load, type LoadResult, refreshChains } from './load.js';
import type { LoadScenario, Options, TargetResult } from './options.js';
import { BENCH_PASSWORD, fmt, log } from './state.js';

export async function runScenarios(
  result: TargetResult,
  client: FlowClient,
  accounts: { email: string; password: string }[],
  opts: Options,
  probe: CpuProbe,
  dbStatus?: () => Promise<Record<string, number>>,
) {
  const { issuer } = client;
  const windows: { scenario: LoadScenario; fromUs: number; toUs: number }[] = [];
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  const auth = basicAuth(client.clientId, client.clientSecret);
  const form = { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const c = opts.connections;

  const measure = async (
    scenario: LoadScenario,
    run: (durationS: number, quiet: boolean) => Promise<LoadResult | FlowRunResult>,
    before?: () => Promise<void>,
  ) => {
    if (opts.warmupS > 0) {
      await before?.();
      await run(opts.warmupS, true);
    }
    await before?.();
    let best = -1;
    for (let attempt = 1; attempt <= opts.repeat; attempt++) {
      if (attempt > 1) await before?.();
      const settled = opts.settleS > 0 ? await probe.settle(opts.settleS) : { waitedS: 0, others: 0 };
      if (settled.waitedS > 1.5)
        log(
          `  waited ${fmt(settled.waitedS)} s for the machine to settle (others at ${fmt(settled.others)} % of a core)`,
        );
      const cpu0 = probe.snapshot();
      const status0 = dbStatus ? await dbStatus() : undefined;
      const fromUs = nowUs();
      const r = await run(opts.durationS, false);
      const toUs = nowUs();
      if (!probe.alive())
        throw new Error(`the server under test died during ${scenario} (see its log in the results folder)`);
      const cpu = probe.usage(cpu0);
      const status1 = dbStatus ? await dbStatus() : undefined;
      const perS = 'okPerSecond' in r ? r.okPerSecond : r.perSecond;
      const bad = 'okPerSecond' in r ? r.non2xx + r.errors : r.failed;
      log(
        `  ${result.label.padEnd(18)} ${scenario.padEnd(9)} ${fmt(perS).padStart(7)} /s   p50 ${fmt(r.latencyMs.p50, 1)} ms   p99 ${fmt(r.latencyMs.p99, 1)} ms${bad ? `   ${bad} failed` : ''}   CPU: server ${fmt(cpu.server)} %, load gen ${fmt(cpu.loadGenerator)} %${cpu.mariadb ? `, MariaDB ${fmt(cpu.mariadb)} %` : ''}, others ${fmt(cpu.others)} %, I/O stall ${fmt(cpu.ioStall)} %${opts.repeat > 1 ? `   (${attempt}/${opts.repeat})` : ''}`,
      );
      result.attempts[scenario] = [...(result.attempts[scenario] ?? []), perS];
      if (perS > best) {
        best = perS;
        result.cpu[scenario] = { ...cpu, settleWaitS: settled.waitedS };
        result.load[scenario] = r;
        if (status0 && status1) {
          const ops = 'okPerSecond' in r ? r.ok : r.completed;
          result.queriesPerOp[scenario] = Object.fromEntries(
            Object.keys(status1).map((k) => [k, ops ? (status1[k]! - (status0[k] ?? 0)) / ops : 0]),
          );
        }
        const w = windows.findIndex((x) => x.scenario === scenario);
        if (w !== -1) windows.splice(w, 1);
        windows.push({ scenario, fromUs, toUs });
      }
    }
  };

  if (opts.only.includes('discovery')) {
    await measure('discovery', (d, quiet) =>
      load({
        title: 'discovery',
        url: `${issuer}/.well-known/openid-configuration`,
        connections: c,
        durationS: d,
        quiet,
      }),
    );
  }
  if (opts.only.includes('jwks')) {
    await measure('jwks', (d, quiet) =>
      load({ title: 'jwks', url: `${issuer}/jwks`, connections: c, durationS: d, quiet }),
    );
  }
  if (opts.only.includes('cc')) {
    const body = new URLSearchParams({ grant_type: 'client_credentials', resource: `${issuer}/api` }).toString();
    // Check once that the answer is what we mean to measure: a JWT signed ES256.
    const check = await fetch(`${issuer}/token`, { method: 'POST', headers: form, body });
    const token = (await check.json()) as { access_token?: string };
    const header = token.access_token
      ? (JSON.parse(Buffer.from(token.access_token.split('.')[0]!, 'base64url').toString()) as { alg?: string })
      : {};
    if (check.status !== 200 || header.alg !== 'ES256')
      throw new Error(
        `client credentials: expected an ES256 JWT, got ${check.status} ${JSON.stringify(token).slice(0, 200)}`,
      );
    await measure('cc', (d, quiet) =>
      load({
        title: 'client credentials',
        url: `${issuer}/token`,
        method: 'POST',
        headers: form,
        body,
        connections: c,
        durationS: d,
        quiet,
      }),
    );
  }
  if (opts.only.includes('refresh')) {
    // One refresh token per connection, each from a real sign-in flow; each connection then rotates its own
    // chain. Seeded again before every autocannon run: a run ends with requests in flight whose answers (the
    // next tokens) are never read, and replaying their spent tokens would revoke the grants.
    const chains: string[] = [];
    const seed = async () => {
      const t0 = performance.now();
      chains.length = 0;
      for (let i = 0; i < c; i += 4) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(4, c - i) }, (_, j) =>
            signInFlow(client, accounts[(i + j) % accounts.length]!.email, BENCH_PASSWORD),
          ),
        );
        for (const t of batch) {
          if (!t.refresh_token) throw new Error('the code flow returned no refresh token');
          chains.push(t.refresh_token);
        }
      }
      result.seedMs = performance.now() - t0;
    };
    let broken = 0;
    const onBroken = (status: number, body: string) => {
      if (broken++ < 3) result.notes.push(`refresh failed: ${status} ${body.slice(0, 160)}`);
    };
    await measure(
      'refresh',
      (d, quiet) =>
        load({
          title: 'refresh',
          url: `${issuer}/token`,
          method: 'POST',
          connections: c,
          durationS: d,
          quiet,
          setupClient: refreshChains(chains, auth, onBroken),
        }),
      seed,
    );
    result.brokenRefreshChains = broken;
  }
  const progress = (quiet: boolean) =>
    quiet || !process.stdout.isTTY
      ? undefined
      : (s: number, n: number) =>
          process.stdout.write(`\r    flows: ${Math.round(s)}/${opts.durationS} s, ${n} flows   `);
  const clearProgress = (quiet: boolean) => {
    if (!quiet && process.stdout.isTTY) process.stdout.write('\r\x1b[K');
  };
  if (opts.only.includes('signin')) {
    await measure('signin', (d, quiet) =>
      runFlows({
        workers: opts.signinWorkers,
        durationS: d,
        prepare: async (w) => accounts[w % accounts.length]!,
        flow: (account, timings) => signIn(client, account.email, account.password, timings),
        onTick: progress(quiet),
      }).finally(() => clearProgress(quiet)),
    );
  }
  if (opts.only.includes('silent')) {
    // Each worker signs in once (not measured), then renews its tokens with prompt=none in that session.
    await measure('silent', (d, quiet) =>
      runFlows({
        workers: opts.signinWorkers,
        durationS: d,
        prepare: async (w) => {
          const account = accounts[w % accounts.length]!;
          return (await signIn(client, account.email, account.password)).browser;
        },
        flow: (browser, timings) => silentFlow(client, browser, timings),
        onTick: progress(quiet),
      }).finally(() => clearProgress(quiet)),
    );
  }
  if (opts.only.includes('userinfo')) {
    // One opaque access token (scope with tenants) from a real sign-in; every request reads the claims anew.
    const { access_token } = await signInFlow(client, accounts[0]!.email, BENCH_PASSWORD);
    const headers = { authorization: `Bearer ${access_token}`, accept: 'application/json' };
    const check = await fetch(`${issuer}/me`, { headers });
    const claims = (await check.json()) as { all_tenants?: unknown[] };
    if (check.status !== 200 || !claims.all_tenants?.length)
      throw new Error(
        `userinfo: expected the tenant claims, got ${check.status} ${JSON.stringify(claims).slice(0, 200)}`,
      );
    await measure('userinfo', (d, quiet) =>
      load({ title: 'userinfo', url: `${issuer}/me`, headers, connections: c, durationS: d, quiet }),
    );
  }
  return windows;
}
