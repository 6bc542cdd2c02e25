// The `invitation` claim: the ID token issued at the end of the flow in which an invitation was accepted
// tells the app which one ({id, tenant_id, metadata}), once. Like a tenant choice (tenants/choice.ts) it is
// tied to the authorization code: held when the code is issued, spent when that code is redeemed, so a
// refreshed ID token, a later sign-in or a code nobody redeems never carries it.
import type { AuthorizationCode, KoaContextWithOIDC } from 'oidc-provider';
import { LessThan } from 'typeorm';
import type { Database } from '../db/database.js';
import { findOneFixed } from '../db/statement.js';
import type { CodeClaims } from '../interaction/kit.js';
import { Invitation, InvitationClaim } from '../db/entities/index.js';

/** What the app learns: the invitation, its tenant and the metadata its creator attached. */
export interface InvitationClaimValue {
  id: string;
  tenant_id: string;
  metadata: Record<string, unknown>;
}

/** The routes that issue authorization codes (a new request, or one resumed after its pages). */
const CODE_ROUTES = new Set(['authorization', 'resume']);

/** The interaction result of the invitation prompt (invitations/interactions.ts). */
export const invitationResult = (decision: { result: string; tenantId?: string; id?: string }) => ({
  invitation: decision,
});

/** The invitation this request's prompt accepted (joined, extended or already a member), if any. */
export function acceptedInResult(result: Record<string, unknown> | undefined): string | undefined {
  const decision = result?.invitation as { result?: unknown; id?: unknown } | undefined;
  const accepted = decision?.result !== 'declined' && decision?.result !== 'skipped';
  return accepted && typeof decision?.id === 'string' ? decision.id : undefined;
}

export class InvitationClaims implements CodeClaims {
  constructor(private readonly db: Database) {}

  /** After a request issued a code (before the redirect leaves): holds the accepted invitation for that code. */
  async hold(ctx: KoaContextWithOIDC): Promise<void> {
    const code = ctx.oidc?.entities.AuthorizationCode;
    if (!code || !CODE_ROUTES.has(ctx.oidc.route) || !code.accountId) return;
    const invitationId = acceptedInResult(ctx.oidc.result);
    if (!invitationId) return;
    const now = new Date();
    await this.db.write(async (m) => {
      await m.delete(InvitationClaim, { expiresAt: LessThan(now) });
      await m.insert(InvitationClaim, {
        codeId: code.jti,
        invitationId,
        accountId: code.accountId!,
        expiresAt: new Date(now.getTime() + code.expiration * 1000),
      });
    });
  }

  /** The code is being redeemed: the claim held for it, spent (a second read of the same code finds nothing). */
  async redeem(code: AuthorizationCode): Promise<{ invitation: InvitationClaimValue } | undefined> {
    // Most codes hold none: a plain read answers them without opening a transaction.
    const held = await this.db.read((m) =>
      findOneFixed(m, InvitationClaim, { codeId: code.jti, accountId: code.accountId ?? '' }),
    );
    if (!held) return undefined;
    return this.db.transaction(async (m) => {
      const spent = await m.delete(InvitationClaim, { codeId: code.jti });
      if (spent.affected !== 1) return undefined;
      const invitation = await m.findOneBy(Invitation, { id: held.invitationId });
      if (!invitation) return undefined;
      return {
        invitation: {
          id: invitation.id,
          tenant_id: invitation.tenantId,
          metadata: JSON.parse(invitation.metadata) as Record<string, unknown>,
        },
      };
    });
  }
}
