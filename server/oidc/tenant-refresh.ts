// The refresh-token grant with `tenant` (an id or slug): the response's tokens carry that tenant as
// `active_tenant`, and the grant keeps it, so the rotated refresh token does too. The account must be a member;
// otherwise `invalid_target`, and the refresh token stays unused (invalid_grant would make RP libraries drop
// the session, when only the requested tenant was wrong).
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import * as refreshGrant from 'oidc-provider/lib/actions/grants/refresh_token.js';
import * as grantHelpers from 'oidc-provider/lib/helpers/grants.js';
import { grantExpiry, noteSwitchedTenant, switchedTenant } from '../tenants/choice.js';
import type { TenantDirectory } from '../tenants/claims.js';

export const TENANT_PARAM = 'tenant';

/** The tenant the request names, checked against the refresh token's account; undefined when it names none. */
async function requestedTenant(tenants: TenantDirectory, ctx: KoaContextWithOIDC): Promise<string | undefined> {
  const wanted = ctx.oidc.params?.[TENANT_PARAM];
  if (wanted === undefined) return undefined;
  if (typeof wanted !== 'string' || wanted.length === 0 || wanted.length > 100)
    throw new errors.InvalidRequest('tenant must be a tenant id or slug');
  const token = await ctx.oidc.provider.RefreshToken.find(String(ctx.oidc.params?.refresh_token ?? ''));
  // An unknown, expired or foreign refresh token: the grant's own checks answer it (invalid_grant).
  if (!token?.accountId || token.clientId !== ctx.oidc.client?.clientId) return undefined;
  const chosen = tenants.resolveHint(wanted, await tenants.membershipsOf(token.accountId));
  if (!chosen) throw new errors.InvalidTarget('the account is not a member of the requested tenant');
  return chosen.tenant_id;
}

/** Replaces the refresh_token grant with one that also takes `tenant`; everything else is oidc-provider's. */
export function refreshWithTenant(provider: Provider, tenants: TenantDirectory): void {
  const helpers = Object.fromEntries(
    Object.entries(grantHelpers).map(([name, helper]) => [name, helper.bind(undefined, provider)]),
  );
  const handler = async (ctx: KoaContextWithOIDC) => {
    const tenantId = await requestedTenant(tenants, ctx);
    if (tenantId) noteSwitchedTenant(ctx, tenantId);
    await refreshGrant.handler(provider, helpers, ctx);
    const grant = ctx.oidc.entities.Grant;
    const chosen = switchedTenant(ctx);
    // Only after the grant succeeded (a reused token revokes the grant instead) does the grant keep the choice.
    if (chosen && grant?.jti && grant.accountId)
      await tenants.switchGrant(
        { grantId: grant.jti, accountId: grant.accountId, tenantId: chosen },
        grantExpiry(grant.exp),
      );
  };
  provider.registerGrantType(
    refreshGrant.grantType,
    handler as never,
    [...refreshGrant.parameters, 'resource', TENANT_PARAM],
    ['resource'],
  );
}
