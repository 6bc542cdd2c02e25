// The apps' own APIs as oidc-provider resource servers: which resource an indicator names, the scope a token
// for it may carry now (the permissions held through roles in the active tenant), and the tenant claims it carries.
// oidc/ asks resources/ and tenants/; neither knows oidc-provider.
import type { Client, KoaContextWithOIDC, ResourceServer } from 'oidc-provider';
import type { ResourceDirectory } from '../resources/tokens.js';
import { switchedTenant } from '../tenants/choice.js';
import { type TenantClaim, type TenantClaims, type TenantDirectory, TENANTS_SCOPE } from '../tenants/claims.js';
import type { AppResources } from './protocol.js';

/** A client's own settings that concern resources: its default resource and the tenant it acts in. */
export interface ClientResourceSettings {
  default_resource?: string;
  /** Client credentials act as a member of this tenant, with these roles. */
  tenant_id?: string;
  tenant_roles?: string[];
}

export const settingsOf = (client: Client | undefined): ClientResourceSettings =>
  (client?.metadata() ?? {}) as ClientResourceSettings;

/** Whether this token request is a client-credentials grant (the client acts for itself). */
const isClientCredentials = (ctx: KoaContextWithOIDC) =>
  ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials';

export class AppResourceServers implements AppResources {
  /** Tenant claims read once per request: the ID token, the scope and the access token's claims agree. */
  private readonly memo = new WeakMap<KoaContextWithOIDC, Map<string, Promise<TenantClaims>>>();

  constructor(
    private readonly resources: ResourceDirectory,
    private readonly tenants: TenantDirectory,
  ) {}

  /** A person's tenant claims in a grant, with a tenant this request switches to counting first. */
  claimsOf(ctx: KoaContextWithOIDC | undefined, accountId: string, grantId: string | undefined): Promise<TenantClaims> {
    const load = () => this.tenants.claimsFor(accountId, grantId, switchedTenant(ctx));
    if (!ctx) return load();
    const perRequest = this.memo.get(ctx) ?? this.memo.set(ctx, new Map()).get(ctx)!;
    const key = `${accountId} ${grantId ?? ''}`;
    return perRequest.get(key) ?? perRequest.set(key, load()).get(key)!;
  }

  /** The tenant a client acts in with client credentials, as a claim; undefined when it has none (or it is gone). */
  async clientTenant(client: Client | undefined): Promise<TenantClaim | undefined> {
    const { tenant_id, tenant_roles } = settingsOf(client);
    return tenant_id ? this.tenants.tenantClaim(tenant_id, tenant_roles ?? []) : undefined;
  }

  /** Who holds permissions in this request: the client's tenant, the person's active tenant, or nobody yet. */
  private async holder(ctx: KoaContextWithOIDC): Promise<TenantClaim | undefined> {
    if (isClientCredentials(ctx)) return this.clientTenant(ctx.oidc.client);
    const accountId = ctx.oidc.entities.Account?.accountId ?? ctx.oidc.entities.Grant?.accountId;
    if (!accountId) return undefined;
    return (await this.claimsOf(ctx, accountId, ctx.oidc.entities.Grant?.jti)).active_tenant;
  }

  async serverInfo(ctx: KoaContextWithOIDC, indicator: string): Promise<ResourceServer | undefined> {
    const resource = await this.resources.byAudience(indicator);
    if (!resource) return undefined;
    // While a grant is being authorized, it may be granted every permission the app asks for; what a token
    // carries is decided at the token endpoint, from the roles held at that moment.
    let scope = resource.permissions;
    if (ctx.oidc.route === 'token') {
      const holder = await this.holder(ctx);
      scope = holder ? await this.resources.permissionsHeld(resource, holder.tenant_id, holder.roles) : [];
    }
    return {
      scope: scope.join(' '),
      audience: resource.audience,
      accessTokenTTL: resource.accessTokenTtl,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: resource.signingAlg } },
    };
  }

  defaultFor(client: Client | undefined): string | undefined {
    return settingsOf(client).default_resource;
  }

  /** The tenant claims of an access token for an app's API: `active_tenant`, and `all_tenants` when asked for. */
  async tokenClaims(
    ctx: KoaContextWithOIDC,
    token: { kind: string; accountId?: string },
  ): Promise<Record<string, unknown> | undefined> {
    const requested = new Set(String(ctx.oidc.params?.scope ?? '').split(' '));
    if (token.kind === 'ClientCredentials') {
      const tenant = await this.clientTenant(ctx.oidc.client);
      if (!tenant) return undefined;
      return { active_tenant: tenant, ...(requested.has(TENANTS_SCOPE) ? { all_tenants: [tenant] } : {}) };
    }
    if (!('accountId' in token) || !token.accountId) return undefined;
    const grant = ctx.oidc.entities.Grant;
    const { active_tenant, all_tenants } = await this.claimsOf(ctx, token.accountId, grant?.jti);
    const asked = grant?.getOIDCScope().split(' ').includes(TENANTS_SCOPE);
    return { ...(active_tenant ? { active_tenant } : {}), ...(asked ? { all_tenants } : {}) };
  }
}
