// What a synchronous multi-primary cluster (Galera, MySQL Group Replication) needs from each session:
// causal reads, a readiness check that means "ready for application use", and guard rows that make
// certification serialise changes a node-local lock (GET_LOCK, SELECT … FOR UPDATE) cannot.
import type { DataSource, EntityManager } from 'typeorm';
import type { DatabaseCluster } from '../config.js';

export type Cluster = Exclude<DatabaseCluster, 'auto'>;

/**
 * The cluster the configuration names, or for `auto` the one the server reports: `@@wsrep_on` is 1 only
 * on a Galera node (0 on plain MariaDB; an unknown variable on MySQL). Group Replication is named explicitly.
 */
export async function detectCluster(dataSource: DataSource, configured: DatabaseCluster = 'auto'): Promise<Cluster> {
  if (configured !== 'auto') return configured;
  try {
    const [row] = (await dataSource.query('SELECT @@wsrep_on AS wsrep')) as { wsrep: number | string }[];
    return Number(row?.wsrep) === 1 ? 'galera' : 'none';
  } catch {
    return 'none';
  }
}

/**
 * Statements run once on every new connection. Galera: wait for the node to apply everything the cluster
 * committed before each read (1), UPDATE and DELETE (2), so a code issued on one node is found on another at
 * once and a conditional update decides on the latest row. Group Replication: the same, as BEFORE consistency.
 */
export function sessionSettings(cluster: Cluster): string[] {
  if (cluster === 'galera') return ['SET SESSION wsrep_sync_wait = 3'];
  if (cluster === 'group-replication') return ["SET SESSION group_replication_consistency = 'BEFORE'"];
  return [];
}

/**
 * Throws unless the node serves application queries. A Galera node outside the primary component still
 * answers `SELECT 1`, so it must say `wsrep_ready = ON`; a Group Replication member must be ONLINE.
 */
export async function assertNodeReady(m: EntityManager, cluster: Cluster): Promise<void> {
  if (cluster === 'galera') {
    const rows = (await m.query("SHOW GLOBAL STATUS LIKE 'wsrep_ready'")) as { Value?: string; VALUE?: string }[];
    const ready = rows[0]?.Value ?? rows[0]?.VALUE;
    if (ready !== 'ON') throw new Error(`The Galera node is not ready (wsrep_ready=${ready ?? 'unknown'})`);
  } else if (cluster === 'group-replication') {
    const rows = (await m.query(
      'SELECT member_state AS state FROM performance_schema.replication_group_members WHERE member_id = @@server_uuid',
    )) as { state?: string }[];
    if (rows[0]?.state !== 'ONLINE')
      throw new Error(`The group member is not online (${rows[0]?.state ?? 'not a member'})`);
  }
}

/**
 * Writes the guard row `name` (table `write_guards`) in `m`'s transaction. Two transactions that write it
 * cannot both commit: on one server the second waits for the row lock; on a cluster, certification aborts one
 * of them (error 1213) and Database runs it again, after the other's changes. sql.js runs one at a time already.
 */
export async function writeGuard(m: EntityManager, name: string): Promise<void> {
  if (m.connection.options.type !== 'mysql') return;
  await m.query('INSERT INTO write_guards (name, writes) VALUES (?, 1) ON DUPLICATE KEY UPDATE writes = writes + 1', [
    name,
  ]);
}
