// Test support for the Galera suite (test/galera/): the three-node cluster of scripts/galera/cluster.sh,
// one Database and one Tessera per node, all three behind one issuer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe } from 'node:test';
import mysql from 'mysql2/promise';
import { createTessera } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { openDatabase } from '../../server/db/database.js';
import { createLogger } from '../../server/http/logging.js';
import { openTestDatabase } from './databases.js';
import { TEST_ENV, type TestServer } from './server.js';
import { runWithin, within } from './waits.js';

/** One URL per node; the test bed's defaults unless GALERA_URLS (comma-separated) says otherwise. */
export const GALERA_URLS = (
  process.env.GALERA_URLS ??
  [3311, 3312, 3313].map((port) => `mysql://tessera:tessera@127.0.0.1:${port}/tessera`).join(',')
).split(',');

export const CLUSTER_SCRIPT = new URL('../../scripts/galera/cluster.sh', import.meta.url).pathname;

/** How long a node may take to rejoin after a kill (IST, or SST when the gcache no longer has the gap). */
export const REJOIN_TIMEOUT_MS = 120_000;

interface NodeState {
  ready: string;
  size: number;
}

/** wsrep_ready and the cluster size one node reports, or the reason it could not be asked. */
export async function nodeState(url: string): Promise<NodeState | string> {
  let connection: mysql.Connection | undefined;
  try {
    connection = await mysql.createConnection({ uri: url, connectTimeout: 2000 });
    const [rows] = await within(
      3000,
      `the wsrep status of ${url}`,
      connection.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_cluster_size')"),
    );
    const status = Object.fromEntries(
      (rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]),
    );
    return { ready: status.wsrep_ready ?? 'not a Galera node', size: Number(status.wsrep_cluster_size ?? 0) };
  } catch (error) {
    return (error as Error).message;
  } finally {
    await connection?.end().catch(() => {});
  }
}

/** Why the cluster cannot be used (undefined when all three nodes are ready in one cluster of three). */
export async function clusterProblem(): Promise<string | undefined> {
  const states = await Promise.all(GALERA_URLS.map(nodeState));
  const problems = states.flatMap((s, i) =>
    typeof s === 'string'
      ? [`node${i + 1}: ${s}`]
      : s.ready === 'ON' && s.size === 3
        ? []
        : [`node${i + 1}: wsrep_ready=${s.ready}, cluster size ${s.size}`],
  );
  return problems.length ? problems.join('; ') : undefined;
}

/** Waits (bounded) until all three nodes serve again, e.g. after a node rejoined. */
export async function waitForCluster(ms = REJOIN_TIMEOUT_MS): Promise<void> {
  const until = Date.now() + ms;
  let problem = await clusterProblem();
  while (problem) {
    if (Date.now() > until)
      throw new Error(`the Galera cluster did not become ready within ${ms / 1000} s: ${problem}`);
    await new Promise((r) => setTimeout(r, 500));
    problem = await clusterProblem();
  }
}

/** Runs scripts/galera/cluster.sh (kill N, start N, status), bounded. */
export async function clusterScript(...args: string[]): Promise<string> {
  const { stdout, stderr } = await runWithin(REJOIN_TIMEOUT_MS + 30_000, CLUSTER_SCRIPT, args);
  return stdout + stderr;
}

export interface GaleraNode extends TestServer {
  /** This instance's own address (server.url is the shared issuer, routed by `route`). */
  direct: string;
}

export interface Cluster {
  nodes: GaleraNode[];
  issuer: string;
  /** Which node the issuer's address sends a request to (by default node 0 for everything). */
  route: (path: string) => number;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * A describe block with one Tessera per Galera node, started at the same moment on a freshly emptied
 * database (migrated once, through node 1). The block is skipped when the cluster is not up; with
 * CI=true that is a failure instead (the CI run starts the cluster).
 */
export function describeOnGalera(
  name: string,
  body: (cluster: () => Cluster) => void,
  env: Record<string, string> = {},
) {
  describe(name, () => {
    const servers: Server[] = [];
    let cluster: Cluster | undefined;
    let dispose = async () => {};
    const closers: (() => Promise<void>)[] = [];

    before(async () => {
      const problem = await clusterProblem();
      if (problem) throw new Error(`the Galera cluster is not up (scripts/galera/cluster.sh up): ${problem}`);
      const first = await openTestDatabase({
        label: 'galera',
        open: async () => ({ config: { kind: 'mysql', url: GALERA_URLS[0]! }, dispose: async () => {} }),
      });
      dispose = first.dispose;
      const balancer = createServer();
      servers.push(balancer);
      const issuer = `http://127.0.0.1:${await listen(balancer)}`;
      const nodes = await Promise.all(
        GALERA_URLS.map(async (url): Promise<GaleraNode> => {
          const http = createServer();
          servers.push(http);
          const direct = `http://127.0.0.1:${await listen(http)}`;
          const logs: string[] = [];
          const sink = new Writable({
            write(chunk, _enc, done) {
              logs.push(String(chunk));
              done();
            },
          });
          // Load from three instances goes through few addresses: the rate limits stay out of its way.
          const limits = { RATE_LIMIT_LOGIN: '100000', RATE_LIMIT_IP: '100000' };
          const config = loadConfig({ ...TEST_ENV, ...limits, ...env, ISSUER: issuer, DATABASE_URL: url });
          const db = await openDatabase(config.database);
          closers.push(() => db.close());
          const logger = createLogger(config, sink);
          const start = async () => {
            const tessera = await createTessera(config, db, logger);
            http.removeAllListeners('request');
            http.on('request', tessera.app.callback());
            return tessera;
          };
          const node: GaleraNode = {
            url: issuer,
            direct,
            config,
            db,
            logs,
            tessera: await start(),
            restart: async () => {
              node.tessera = await start();
            },
          };
          return node;
        }),
      );
      const state: Cluster = { nodes, issuer, route: () => 0 };
      balancer.on('request', (req, res) => servers[1 + state.route(req.url ?? '/')]!.emit('request', req, res));
      cluster = state;
    });

    after(async () => {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
      }
      for (const close of closers) await close().catch(() => {});
      await dispose();
    });

    body(() => cluster!);
  });
}
