// The account page's "sessions and apps": the browsers the account is signed in on and the apps it has
// granted access, each with a way to end it (a session: that browser is signed out; an app: its grant and
// every token issued under it are revoked).
import type { Context } from 'koa';
import { In } from 'typeorm';
import type { AccountSection } from '../accounts/account-page.js';
import type { Database } from '../db/database.js';
import { OidcPayload, SessionSignIn } from '../db/entities/index.js';
import { NotFound } from '../errors.js';
import { pageForm, parsePageForm } from '../http/forms.js';
import type { GrantDestroyedHook } from './adapter.js';
import { clientInfo } from './clients.js';

const noFields = pageForm({});
const Id = /^[\w-]{1,255}$/;

interface SessionPayload {
  uid: string;
  loginTs?: number;
  amr?: string[];
  iat?: number;
}
interface GrantPayload {
  clientId: string;
  iat?: number;
}

/** How a session signed in, as the page names it: each factor once (`mfa` only says there were two). */
const waysOf = (amr: string[] = []) =>
  [...new Set(amr.map((a) => (a === 'swk' ? 'hwk' : a)))].filter((a) => a !== 'mfa');

const at = (seconds: number | undefined) => (seconds ? new Date(seconds * 1000) : undefined);

/** The name people know a connection by, from the `idp` a session signed in through (federation/ knows it). */
export type IdpName = (idp: string) => Promise<string | undefined>;

export class AccountSessions {
  constructor(
    private readonly db: Database,
    private readonly onGrantDestroyed: GrantDestroyedHook[] = [],
    private readonly idpName: IdpName = async () => undefined,
  ) {}

  async list(accountId: string, now = new Date()) {
    const rows = await this.db.read((m) =>
      m.find(OidcPayload, { where: { accountId, model: In(['Session', 'Grant']) } }),
    );
    const live = rows.filter((r) => !r.expiresAt || r.expiresAt > now);
    const idps = await this.idpsOf(accountId);
    const sessions = live
      .filter((r) => r.model === 'Session')
      .map((r) => JSON.parse(r.payload) as SessionPayload)
      .map((s) => ({ uid: s.uid, signedInAt: at(s.loginTs ?? s.iat), ways: waysOf(s.amr), through: idps.get(s.uid) }))
      .sort((a, b) => (b.signedInAt?.getTime() ?? 0) - (a.signedInAt?.getTime() ?? 0));
    const grants = await Promise.all(
      live
        .filter((r) => r.model === 'Grant')
        .map(async (r) => {
          const grant = JSON.parse(r.payload) as GrantPayload;
          const client = await clientInfo(this.db, grant.clientId);
          return { id: r.id, clientId: grant.clientId, app: client?.name ?? grant.clientId, since: at(grant.iat) };
        }),
    );
    return { sessions, grants: grants.filter((g) => g.clientId !== 'tessera-internal') };
  }

  /** The connection each session signed in through, by session uid, named as the sign-in page names it. */
  private async idpsOf(accountId: string): Promise<Map<string, string>> {
    const rows = await this.db.read((m) => m.findBy(SessionSignIn, { accountId }));
    // Many sessions share a few connections: each connection's name is looked up once.
    const names = new Map<string, Promise<string | undefined>>();
    const nameOf = (idp: string) => names.get(idp) ?? names.set(idp, this.idpName(idp)).get(idp)!;
    const named = rows.flatMap(({ sessionUid, idp }) =>
      idp ? [nameOf(idp).then((name) => [sessionUid, name ?? idp] as const)] : [],
    );
    return new Map(await Promise.all(named));
  }

  /** Signs one browser out: its session goes (the apps it signed in to keep their grants until ended). */
  async endSession(accountId: string, uid: string): Promise<void> {
    const gone = await this.db.write((m) => m.delete(OidcPayload, { model: 'Session', uid, accountId }));
    if (!gone.affected) throw new NotFound('This session has already ended.', 'session_not_found');
  }

  /** Revokes an app's access: its grant and every code and token issued under it. */
  async endGrant(accountId: string, grantId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const gone = await m.delete(OidcPayload, { model: 'Grant', id: grantId, accountId });
      if (!gone.affected) throw new NotFound('This app no longer has access.', 'grant_not_found');
      await m.delete(OidcPayload, { grantId });
      for (const hook of this.onGrantDestroyed) await hook(grantId);
    });
  }
}

export function sessionsSection(sessions: AccountSessions): AccountSection {
  return {
    template: 'partials/account/sessions.njk',
    load: (accountId) => sessions.list(accountId),
    routes(router, page) {
      const param = (ctx: Context, name: string) => {
        const value = String(ctx.params[name] ?? '');
        if (!Id.test(value)) throw new NotFound('There is no such session.', 'session_not_found');
        return value;
      };
      router.post('/account/sessions/:uid/end', (ctx: Context) =>
        page.change(
          ctx,
          (accountId) => {
            parsePageForm(noFields, ctx.request.body);
            return sessions.endSession(accountId, param(ctx, 'uid'));
          },
          'session_ended',
        ),
      );
      router.post('/account/apps/:grantId/end', (ctx: Context) =>
        page.change(
          ctx,
          (accountId) => {
            parsePageForm(noFields, ctx.request.body);
            return sessions.endGrant(accountId, param(ctx, 'grantId'));
          },
          'app_ended',
        ),
      );
    },
  };
}
