// EXPERIMENT (not a fix, changes no server code): Client rows cached in memory for 60 s, so token requests
// stop reading `clients` each time (oidc-provider calls the adapter's Client.find on every request that
// authenticates a client). A real version needs invalidation when the CLI changes a client.
//
//   npm run bench -- --only cc,refresh,signin --no-bare --tessera-import bench/experiments/client-cache.ts
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type Manager = { findOneBy(target: unknown, where: Record<string, unknown>): Promise<unknown> };
const { EntityManager } = require('typeorm/entity-manager/EntityManager.js') as {
  EntityManager: { prototype: Manager };
};
const { findOneBy } = EntityManager.prototype;
const cache = new Map<string, { row: unknown; until: number }>();

EntityManager.prototype.findOneBy = async function (this: Manager, target, where) {
  const isClient =
    typeof target === 'function' &&
    target.name === 'Client' &&
    Object.keys(where).length === 1 &&
    typeof where.id === 'string';
  if (!isClient) return findOneBy.call(this, target, where);
  const hit = cache.get(where.id as string);
  if (hit && hit.until > Date.now()) return hit.row;
  const row = await findOneBy.call(this, target, where);
  cache.set(where.id as string, { row, until: Date.now() + 60_000 });
  return row;
};
process.stderr.write('[bench experiment] Client rows cached for 60 s\n');
