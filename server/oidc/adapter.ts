// oidc-provider's storage over TypeORM: one table keyed by (model, id), payload as JSON text.
import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import { In, LessThan } from 'typeorm';
import type { Database } from '../db/database.js';
import { hydrate, runStatement } from '../db/statement.js';
import { Client, OidcPayload } from '../db/entities/index.js';

/** Hooks other features attach to a grant's deletion (e.g. the active tenant kept per grant). */
export type GrantDestroyedHook = (grantId: string) => Promise<void>;

/**
 * How long a client's row is reused. The provider reads the client on every token request; a change
 * or deletion made with the CLI reaches every instance within this time.
 */
export const CLIENT_CACHE_MS = 10_000;

/** The columns a payload is found by (the provider's find, findByUid, findByUserCode). */
const KEY_COLUMNS: Readonly<Record<string, string>> = { id: 'id', uid: 'uid', userCode: 'user_code' };

/** Saves a payload under (model, id), replacing the one there: each database's spelling of one statement. */
const COLUMNS = 'model, id, payload, grant_id, uid, account_id, user_code, expires_at';
const VALUES = ':model, :id, :payload, :grantId, :uid, :accountId, :userCode, :expiresAt';
const UPSERT = {
  mysql: `INSERT INTO oidc_payloads (${COLUMNS}) VALUES (${VALUES}) ON DUPLICATE KEY UPDATE payload = VALUES(payload),
    grant_id = VALUES(grant_id), uid = VALUES(uid), account_id = VALUES(account_id), user_code = VALUES(user_code),
    expires_at = VALUES(expires_at)`,
  sqlite: `INSERT INTO oidc_payloads (${COLUMNS}) VALUES (${VALUES}) ON CONFLICT (model, id) DO UPDATE SET
    payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid, account_id = excluded.account_id,
    user_code = excluded.user_code, expires_at = excluded.expires_at`,
} as const;

/** The models that tokens of a grant are stored as; what oidc-provider revokes when a grant is revoked. */
const GRANT_TOKEN_MODELS = [
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
];

/** How the provider words a second use, per model. */
const SECOND_USE: Readonly<Record<string, string>> = {
  AuthorizationCode: 'authorization code already consumed',
  RefreshToken: 'refresh token already used',
};

export function createAdapter(
  db: Database,
  onGrantDestroyed: GrantDestroyedHook[] = [],
): new (
  name: string,
) => Adapter {
  const clients = new Map<string, { payload: AdapterPayload | undefined; until: number }>();
  const findClientCached = async (id: string) => {
    const hit = clients.get(id);
    if (hit && hit.until > Date.now()) return hit.payload;
    const payload = await findClient(db, id);
    if (clients.size > 10_000) clients.clear(); // unknown ids must not grow it without bound
    clients.set(id, { payload, until: Date.now() + CLIENT_CACHE_MS });
    return payload;
  };

  const revokeGrant = async (grantId: string) => {
    for (const model of GRANT_TOKEN_MODELS) await new TypeOrmAdapter(model).revokeByGrantId(grantId);
    await new TypeOrmAdapter('Grant').destroy(grantId);
  };

  class TypeOrmAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') throw new Error('Clients are managed with the CLI, not through the adapter');
      const row = {
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grantId: payload.grantId ?? null,
        uid: payload.uid ?? null,
        accountId: accountIdOf(payload),
        userCode: payload.userCode ?? null,
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      await db.write((m) => runStatement(m, UPSERT[db.kind], row));
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return findClientCached(id);
      return this.findBy({ id });
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findBy({ uid });
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findBy({ userCode });
    }

    /**
     * Spends a code or refresh token once. The provider read it unspent a moment ago; if a parallel request
     * spent it since, this one loses: a second use means the token leaked, so, as for a second use in
     * sequence, the grant and all its tokens are revoked (RFC 9700 §4.14.2) and the request gets invalid_grant.
     */
    async consume(id: string): Promise<void> {
      const spent = await db.write((m) =>
        runStatement(
          m,
          'UPDATE oidc_payloads SET consumed_at = :now WHERE model = :model AND id = :id AND consumed_at IS NULL',
          { now: new Date(), model: this.model, id },
        ),
      );
      if (spent.affected === 1) return;
      const row = await db.read((m) => m.findOneBy(OidcPayload, { model: this.model, id }));
      if (row?.grantId) await revokeGrant(row.grantId);
      throw new errors.InvalidGrant(SECOND_USE[this.model] ?? `${this.model} already used`);
    }

    async destroy(id: string): Promise<void> {
      await db.write((m) =>
        runStatement(m, 'DELETE FROM oidc_payloads WHERE model = :model AND id = :id', { model: this.model, id }),
      );
      if (this.model === 'Grant') for (const hook of onGrantDestroyed) await hook(id);
    }

    /**
     * The provider calls this once per token model. Only this model's rows go: sessions and interactions
     * also carry a grant id, and deleting them would end a sign-in that is under way (e.g. switching account).
     */
    async revokeByGrantId(grantId: string): Promise<void> {
      await db.write((m) => m.delete(OidcPayload, { model: this.model, grantId }));
    }

    /** One row by a key column: unexpired (checked in SQL), with when it was consumed. */
    private async findBy(where: { id?: string; uid?: string; userCode?: string }): Promise<AdapterPayload | undefined> {
      const [column, value] = Object.entries(where)[0]!;
      const found = await db.read(async (m) => {
        const {
          rows: [row],
        } = await runStatement<{ payload: string; consumed_at: unknown }>(
          m,
          `SELECT payload, consumed_at FROM oidc_payloads WHERE model = :model AND ${KEY_COLUMNS[column]} = :value
             AND (expires_at IS NULL OR expires_at > :now)`,
          { model: this.model, value, now: new Date() },
        );
        return row && { payload: row.payload, consumedAt: hydrate(m, OidcPayload, 'consumedAt', row.consumed_at) };
      });
      if (!found) return undefined;
      const payload = JSON.parse(found.payload) as AdapterPayload;
      const consumedAt = found.consumedAt as Date | null;
      return consumedAt ? { ...payload, consumed: Math.floor(consumedAt.getTime() / 1000) } : payload;
    }
  }
  return TypeOrmAdapter;
}

/**
 * The account a row belongs to: sessions, grants and tokens carry it; an interaction carries it once
 * the person has signed in (its result) or when it started inside a session.
 */
function accountIdOf(payload: AdapterPayload): string | null {
  const p = payload as AdapterPayload & {
    session?: { accountId?: string };
    result?: { login?: { accountId?: string } };
  };
  return p.accountId ?? p.result?.login?.accountId ?? p.session?.accountId ?? null;
}

/**
 * Ends everything an account has signed in: its sessions, sign-ins under way, grants and every token
 * and code issued under them, with the hooks of each grant (the grant's active tenant). Joins the
 * caller's transaction, so a credential change and the end of the old sessions commit together.
 */
export async function endAccountSessions(
  db: Database,
  accountId: string,
  onGrantDestroyed: GrantDestroyedHook[] = [],
): Promise<void> {
  await db.transaction(async (m) => {
    const grants = (await m.find(OidcPayload, { select: { id: true }, where: { model: 'Grant', accountId } })).map(
      (g) => g.id,
    );
    await m.delete(OidcPayload, { accountId });
    // Rows stored without an account (none are expected) still go with their grant.
    if (grants.length) await m.delete(OidcPayload, { grantId: In(grants) });
    for (const grantId of grants) for (const hook of onGrantDestroyed) await hook(grantId);
  });
}

async function findClient(db: Database, id: string): Promise<AdapterPayload | undefined> {
  const row = await db.read((m) => m.findOneBy(Client, { id }));
  if (!row) return undefined;
  return { ...(JSON.parse(row.metadata) as AdapterPayload), client_id: row.id, first_party: row.firstParty };
}

/** Deletes rows whose expiry has passed; the provider already ignores them, this keeps the table small. */
export async function deleteExpiredPayloads(db: Database, now = new Date()): Promise<number> {
  const result = await db.write((m) => m.delete(OidcPayload, { expiresAt: LessThan(now) }));
  return result.affected ?? 0;
}
