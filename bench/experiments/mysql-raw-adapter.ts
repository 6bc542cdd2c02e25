// EXPERIMENT (not a fix, changes no server code): the adapter's hot queries as plain SQL instead of TypeORM's
// query builders, on MariaDB. Measures what TypeORM's per-query building (findOneBy / upsert / update with
// entity metadata, property-name rewriting, hydration) costs on the token endpoints.
//
//   npm run bench -- --db mysql --only cc,refresh,signin --no-bare --tessera-import bench/experiments/mysql-raw-adapter.ts
//
// It intercepts EntityManager.findOneBy / upsert / update for the OidcPayload entity (and findOneBy for
// Client) and runs the same statement through EntityManager.query(). Other entities are untouched.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type Manager = {
  connection: { options: { type: string } };
  query(sql: string, params: unknown[]): Promise<unknown>;
  findOneBy(target: unknown, where: Record<string, unknown>): Promise<unknown>;
  upsert(target: unknown, row: Record<string, unknown>, conflict: unknown): Promise<unknown>;
  update(target: unknown, where: Record<string, unknown>, set: Record<string, unknown>): Promise<unknown>;
};
const { EntityManager } = require('typeorm/entity-manager/EntityManager.js') as {
  EntityManager: { prototype: Manager };
};
const { FindOperator } = require('typeorm/find-options/FindOperator.js') as {
  FindOperator: new (...a: never[]) => { type: string };
};

const name = (target: unknown) => (typeof target === 'function' ? target.name : String(target));
const column: Record<string, string> = {
  model: 'model',
  id: 'id',
  uid: 'uid',
  userCode: 'user_code',
  grantId: 'grant_id',
  payload: 'payload',
  expiresAt: 'expires_at',
  consumedAt: 'consumed_at',
};
const SELECT_PAYLOAD =
  'SELECT model, id, payload, grant_id AS grantId, uid, user_code AS userCode, expires_at AS expiresAt, consumed_at AS consumedAt FROM oidc_payloads';

function where(criteria: Record<string, unknown>): { sql: string; params: unknown[] } | undefined {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [key, value] of Object.entries(criteria)) {
    const col = column[key];
    if (!col) return undefined;
    if (value instanceof FindOperator) {
      if (value.type !== 'isNull') return undefined;
      parts.push(`${col} IS NULL`);
    } else {
      parts.push(`${col} = ?`);
      params.push(value);
    }
  }
  return { sql: parts.join(' AND '), params };
}

const { findOneBy, upsert, update } = EntityManager.prototype;

EntityManager.prototype.findOneBy = async function (this: Manager, target, criteria) {
  if (this.connection.options.type === 'mysql') {
    if (name(target) === 'OidcPayload') {
      const w = where(criteria);
      if (w) return ((await this.query(`${SELECT_PAYLOAD} WHERE ${w.sql} LIMIT 1`, w.params)) as unknown[])[0] ?? null;
    }
    if (name(target) === 'Client' && Object.keys(criteria).length === 1 && typeof criteria.id === 'string') {
      const [row] = (await this.query(
        'SELECT id, metadata, first_party AS firstParty, created_at AS createdAt FROM clients WHERE id = ? LIMIT 1',
        [criteria.id],
      )) as { firstParty: number | boolean }[];
      return row ? { ...row, firstParty: Boolean(row.firstParty) } : null;
    }
  }
  return findOneBy.call(this, target, criteria);
};

EntityManager.prototype.upsert = async function (this: Manager, target, row, conflict) {
  if (this.connection.options.type === 'mysql' && name(target) === 'OidcPayload') {
    await this.query(
      'INSERT INTO oidc_payloads (model, id, payload, grant_id, uid, user_code, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
        'ON DUPLICATE KEY UPDATE payload = VALUES(payload), grant_id = VALUES(grant_id), uid = VALUES(uid), user_code = VALUES(user_code), expires_at = VALUES(expires_at)',
      [row.model, row.id, row.payload, row.grantId, row.uid, row.userCode, row.expiresAt],
    );
    return { identifiers: [], generatedMaps: [], raw: [] };
  }
  return upsert.call(this, target, row, conflict);
};

EntityManager.prototype.update = async function (this: Manager, target, criteria, set) {
  if (
    this.connection.options.type === 'mysql' &&
    name(target) === 'OidcPayload' &&
    Object.keys(set).length === 1 &&
    'consumedAt' in set
  ) {
    const w = where(criteria);
    if (w) {
      const res = (await this.query(`UPDATE oidc_payloads SET consumed_at = ? WHERE ${w.sql}`, [
        set.consumedAt,
        ...w.params,
      ])) as { affectedRows?: number };
      return { affected: res.affectedRows ?? 0, raw: res, generatedMaps: [] };
    }
  }
  return update.call(this, target, criteria, set);
};
process.stderr.write('[bench experiment] raw SQL for OidcPayload and Client lookups on MySQL\n');
