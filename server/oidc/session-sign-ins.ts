// Through which connection a session signed in, for the ID token's `idp`. A first factor's `idp` travels
// in the login result (kit.signIn); the provider keeps only `amr` of it in the session, so once the
// session exists (the resumed authorization request) the `idp` is written here, keyed by the session's
// uid, which every authorization code and refresh token carries (`sessionUid`).
import type { KoaContextWithOIDC } from 'oidc-provider';
import { LessThan } from 'typeorm';
import type { Database } from '../db/database.js';
import { findOneFixed } from '../db/statement.js';
import { SessionSignIn } from '../db/entities/index.js';
import { TTL } from './protocol.js';

/** After the provider applied a login result: remember its `idp` (or that there was none) for the session. */
export async function rememberSessionIdp(db: Database, ctx: KoaContextWithOIDC): Promise<void> {
  const login = (ctx.oidc?.result as { login?: { accountId?: string; idp?: string } } | undefined)?.login;
  const uid = ctx.oidc?.session?.uid;
  if (!login?.accountId || !uid) return;
  const row = {
    sessionUid: uid,
    accountId: login.accountId,
    idp: typeof login.idp === 'string' ? login.idp : null,
    expiresAt: new Date(Date.now() + TTL.Session * 1000),
  };
  await db.write((m) => m.upsert(SessionSignIn, row, ['sessionUid']));
}

/** The `idp` of the session a token was issued in (for this account), if it signed in through a connection. */
export async function sessionIdp(db: Database, sessionUid: string | undefined, accountId: string) {
  if (!sessionUid) return undefined;
  const row = await db.read((m) => findOneFixed(m, SessionSignIn, { sessionUid, accountId }));
  return row?.idp ?? undefined;
}

export async function deleteExpiredSessionSignIns(db: Database, now = new Date()): Promise<number> {
  return (await db.write((m) => m.delete(SessionSignIn, { expiresAt: LessThan(now) }))).affected ?? 0;
}
