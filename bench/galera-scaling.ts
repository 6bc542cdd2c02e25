// Throughput of 1, 2 and 3 Tessera instances, each on its own node of the Galera test bed
// (scripts/galera/cluster.sh up), at the same total concurrency, for two scenarios:
//   cc       client credentials → ES256 JWT access token (CPU: signing; the client row is cached)
//   tenants  POST /api/tenants with a tenants:manage token (a write transaction replicated to every node)
//
//   node --import tsx bench/galera-scaling.ts [--duration 8] [--warmup 2] [--connections 24]
//
// Everything runs on 127.0.0.1 and every load is bounded by its duration. Nothing is pinned: on a small
// machine the instances, the three nodes and the load generator share the same cores, so the figures show
// what the cluster costs and how instances contend, not how a cluster of real machines scales.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { basicAuth } from './lib/flow.js';
import { type LoadResult, load } from './lib/load.js';
import { cli, freePort, ROOT, type Server, sh, sleep, startProcess, waitReady } from './lib/proc.js';

const NODES = ['127.0.0.1:3311', '127.0.0.1:3312', '127.0.0.1:3313'];
const databaseUrl = (node: string) => `mysql://tessera:tessera@${node}/tessera`;

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0 || value > 120) throw new Error(`--${name}: a number up to 120`);
  return value;
};
const durationS = arg('duration', 8);
const warmupS = arg('warmup', 2);
const connections = arg('connections', 24);

interface Instance {
  server: Server;
  issuer: string;
}

interface Row {
  instances: number;
  scenario: 'cc' | 'tenants';
  okPerSecond: number;
  failed: number;
  p50: number;
  p99: number;
}

const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

/** An empty `tessera` database (dropped through node 1; the cluster replicates it) with a bench client. */
async function freshDatabase(): Promise<{ clientId: string; clientSecret: string }> {
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3311, user: 'tessera', password: 'tessera' });
  await conn.query('DROP DATABASE IF EXISTS tessera');
  await conn.query('CREATE DATABASE tessera CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
  await conn.end();
  const env = { DATABASE_URL: databaseUrl(NODES[0]!), LOG_LEVEL: 'warn' };
  await cli(['migrate'], env);
  const out = await cli(
    ['clients:create', '--name', 'bench', '--grant', 'client_credentials', '--tenants-manage'],
    env,
  );
  return {
    clientId: /client_id:\s*(\S+)/.exec(out)![1]!,
    clientSecret: /client_secret:\s*(\S+)/.exec(out)![1]!,
  };
}

async function startInstances(count: number): Promise<Instance[]> {
  return Promise.all(
    NODES.slice(0, count).map(async (node, i) => {
      const port = await freePort();
      const issuer = `http://127.0.0.1:${port}`;
      const env = { PORT: String(port), HOST: '127.0.0.1', ISSUER: issuer, DATABASE_URL: databaseUrl(node) };
      const started = performance.now();
      const server = startProcess(
        `instance ${i + 1}`,
        [process.execPath, '--import', 'tsx', 'bench/lib/tessera-main.ts'],
        { ...env, LOG_LEVEL: 'warn', DEMO: 'false' },
      );
      await waitReady(server, `${issuer}/readyz`, started);
      return { server, issuer };
    }),
  );
}

async function apiToken(instance: Instance, authorization: string): Promise<string> {
  const res = await fetch(`${instance.issuer}/token`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=tenants:manage',
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`${instance.issuer}/token: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

let sequence = 0;

/** The same scenario on every instance at once, the total concurrency split between them. */
async function measure(instances: Instance[], scenario: Row['scenario'], authorization: string, seconds: number) {
  const tokens = scenario === 'tenants' ? await Promise.all(instances.map((i) => apiToken(i, authorization))) : [];
  const each = Math.max(1, Math.round(connections / instances.length));
  const results: LoadResult[] = await Promise.all(
    instances.map((instance, i) =>
      scenario === 'cc'
        ? load({
            title: `cc ${i + 1}`,
            url: `${instance.issuer}/token`,
            method: 'POST',
            headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
            body: 'grant_type=client_credentials',
            connections: each,
            durationS: seconds,
            quiet: true,
          })
        : load({
            title: `tenants ${i + 1}`,
            url: `${instance.issuer}/api/tenants`,
            connections: each,
            durationS: seconds,
            quiet: true,
            setupClient: (client) =>
              client.setRequests([
                {
                  method: 'POST',
                  path: '/api/tenants',
                  headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
                  setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `Bench ${sequence++}` }) }),
                },
              ]),
          }),
    ),
  );
  return {
    instances: instances.length,
    scenario,
    okPerSecond: results.reduce((sum, r) => sum + r.okPerSecond, 0),
    failed: results.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
    p50: Math.max(...results.map((r) => r.latencyMs.p50)),
    p99: Math.max(...results.map((r) => r.latencyMs.p99)),
  };
}

async function main(): Promise<void> {
  const status = await sh('bash', [join(ROOT, 'scripts/galera/cluster.sh'), 'status']).catch((e: Error) => e.message);
  if (!/cluster_size=3/.test(status) || /down|ready=OFF/.test(status)) {
    throw new Error(`the Galera test bed is not up (scripts/galera/cluster.sh up):\n${status}`);
  }
  const rows: Row[] = [];
  for (const count of [1, 2, 3]) {
    log(`== ${count} instance(s), ${connections} connections in all`);
    const client = await freshDatabase();
    const authorization = basicAuth(client.clientId, client.clientSecret);
    const instances = await startInstances(count);
    try {
      for (const scenario of ['cc', 'tenants'] as const) {
        await measure(instances, scenario, authorization, warmupS);
        const row = await measure(instances, scenario, authorization, durationS);
        rows.push(row);
        log(
          `  ${scenario.padEnd(8)} ${Math.round(row.okPerSecond)} /s   p50 ${row.p50} ms   p99 ${row.p99} ms   failed ${row.failed}`,
        );
      }
    } finally {
      for (const instance of instances) await instance.server.stop();
    }
    await sleep(1000);
  }
  const table = [
    '| instances (one per node) | scenario | ok /s | p50 ms | p99 ms | failed |',
    '|---:|---|---:|---:|---:|---:|',
    ...rows.map(
      (r) => `| ${r.instances} | ${r.scenario} | ${Math.round(r.okPerSecond)} | ${r.p50} | ${r.p99} | ${r.failed} |`,
    ),
  ].join('\n');
  const dir = join(ROOT, 'bench', 'results', `galera-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'galera-scaling.json'), JSON.stringify({ durationS, warmupS, connections, rows }, null, 2));
  process.stdout.write(`\n${table}\n\nraw figures in ${dir.replace(ROOT, '')}\n`);
}

await main();
