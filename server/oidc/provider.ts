// Configures oidc-provider: Tessera supplies storage, accounts, keys, pages and policies; the library does the protocol.
import type { KoaContextWithOIDC } from 'oidc-provider';
import Provider, { errors, interactionPolicy } from 'oidc-provider';
import type { AccountService } from '../accounts/service.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Account } from '../db/entities/index.js';
import type { Renderer } from '../render.js';
import { ACR_VALUES, stepUpCheck } from '../interaction/assurance.js';
import type { CodeClaims, Prompt } from '../interaction/kit.js';
import { holdTenantChoice, redeemTenantChoice } from '../tenants/choice.js';
import { type TenantDirectory, TENANTS_SCOPE } from '../tenants/claims.js';
import { createAdapter, type GrantDestroyedHook } from './adapter.js';
import { clientFlags } from './clients.js';
import type { KeySet } from '../keys/keys.js';
import { API_SCOPES, apiResource, protocolSettings, STANDARD_CLAIMS, STANDARD_SCOPES } from './protocol.js';
import type { ResourceDirectory } from '../resources/tokens.js';
import { advertiseResourceScopes } from './discovery.js';
import { introspectJwtAccessTokens } from './introspection.js';
import { AppResourceServers } from './resource-servers.js';
import { refreshWithTenant } from './tenant-refresh.js';
import { rememberSessionIdp, sessionIdp } from './session-sign-ins.js';

export interface ProviderDeps {
  config: Config;
  db: Database;
  keys: KeySet;
  cookieKeys: string[];
  accounts: AccountService;
  renderer: Renderer;
  tenants: TenantDirectory;
  /** The features' prompts, in the order they run after consent (app.ts: invitations, then tenants). */
  prompts?: Prompt[];
  onGrantDestroyed?: GrantDestroyedHook[];
  /** The apps' own APIs (registered API resources). */
  resources?: ResourceDirectory;
  /** Claims another feature ties to one authorization code (invitations/: the invitation the flow accepted). */
  codeClaims?: CodeClaims;
}

function standardClaims(account: Account) {
  return {
    sub: account.id,
    email: account.email ?? undefined,
    email_verified: account.email ? account.emailVerified : undefined,
    name: account.name ?? undefined,
    locale: account.locale ?? undefined,
    phone_number: account.phone ?? undefined,
    phone_number_verified: account.phone ? account.phoneVerified : undefined,
    updated_at: Math.floor(account.updatedAt.getTime() / 1000),
  };
}

/** Tessera's own client settings (oidc/clients.ts writes them), checked again whenever the provider loads a client. */
function validateClientMetadata(_ctx: unknown, key: string, value: unknown): void {
  if (value === undefined) return;
  const fail = (why: string) => new errors.InvalidClientMetadata(`${key} ${why}`);
  if (key === 'first_party' || key === 'tenants_manage' || key === 'operator' || key === 'require_mfa') {
    if (typeof value !== 'boolean') throw fail('must be a boolean');
  } else if (key === 'default_resource' || key === 'tenant_id') {
    if (typeof value !== 'string' || !value) throw fail('must be a string');
  } else if (key === 'tenant_roles') {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw fail('must be a list of role names');
  }
}

/** login (with the step-up check) -> consent -> the features' prompts, in the order app.ts hands them in. */
function interactionPolicyOf(deps: ProviderDeps) {
  const policy = interactionPolicy.base();
  policy.get('login')?.checks.add(stepUpCheck());
  for (const prompt of deps.prompts ?? []) policy.add(prompt);
  return policy;
}

export function createProvider(deps: ProviderDeps): Provider {
  const { config, renderer } = deps;
  const apps = deps.resources ? new AppResourceServers(deps.resources, deps.tenants) : undefined;
  const protocol = protocolSettings(config.issuer, apps);
  const policy = interactionPolicyOf(deps);

  const tenantClaims = (ctx: KoaContextWithOIDC, accountId: string, grantId: string | undefined) =>
    apps ? apps.claimsOf(ctx, accountId, grantId) : deps.tenants.claimsFor(accountId, grantId);

  const provider = new Provider(config.issuer, {
    ...protocol,
    discovery: {
      // Every prompt an app may ask for: none, and the requestable ones (login, consent, select_tenant).
      prompt_values_supported: ['none', ...policy.filter((p) => p.requestable).map((p) => p.name)],
    },
    adapter: createAdapter(deps.db, deps.onGrantDestroyed),
    jwks: deps.keys.providerJwks() as never,
    cookies: {
      keys: deps.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    // acr and amr (how the session signed in) and idp (the connection it signed in through; absent for a local
    // sign-in) come with openid: only claims a scope lists are released, and every ID token says how.
    claims: {
      ...STANDARD_CLAIMS,
      // invitation: in the ID token of the code exchange that ends a flow where one was accepted (once).
      openid: [...STANDARD_CLAIMS.openid, 'acr', 'amr', 'idp', 'invitation'],
      [TENANTS_SCOPE]: ['active_tenant', 'all_tenants'],
    },
    scopes: [...STANDARD_SCOPES, TENANTS_SCOPE],
    // ID tokens carry the session's `acr` and `amr`; `acr_values` naming the MFA value asks for a second factor.
    acrValues: ACR_VALUES,
    extraParams: {
      // Shape only here; whether it names one of the account's tenants is decided after sign-in.
      // Any string up to a JWS's size: a bad token gets Tessera's own page inside the flow, not an error to the app.
      invitation: async (_ctx, value) => {
        if (value !== undefined && (typeof value !== 'string' || value.length > 4096))
          throw new errors.InvalidRequest('invitation must be an invitation token');
      },
      // Opens the registration form instead of the sign-in form (invitation pages use it).
      screen: async (_ctx, value) => {
        if (value !== undefined && value !== 'register') throw new errors.InvalidRequest('screen must be register');
      },
      // Home-realm discovery: a domain whose tenant routes it to a connection signs in there at once.
      domain_hint: async (_ctx, value) => {
        if (value !== undefined && (typeof value !== 'string' || value.length > 253))
          throw new errors.InvalidRequest('domain_hint must be a domain name');
      },
      tenant_hint: async (_ctx, value) => {
        if (value !== undefined && (typeof value !== 'string' || value.length > 100))
          throw new errors.InvalidRequest('tenant_hint must be a tenant id or slug');
      },
    },
    extraClientMetadata: {
      // require_mfa: every sign-in to this app needs a second factor (docs/sign-in.md).
      properties: [
        'first_party',
        'tenants_manage',
        'operator',
        'default_resource',
        'tenant_id',
        'tenant_roles',
        'require_mfa',
      ],
      validator: validateClientMetadata,
    },
    findAccount: async (ctx, sub, token) => {
      const account = await deps.accounts.findById(sub);
      if (!account || account.disabledAt) return undefined;
      const grantId = token?.grantId ?? ctx.oidc.entities.Grant?.jti;
      if (token?.kind === 'AuthorizationCode') await redeemTenantChoice(deps.tenants, ctx, token);
      // Spent here, at the code's exchange: only this exchange's ID token says which invitation brought the person.
      const held = token?.kind === 'AuthorizationCode' ? await deps.codeClaims?.redeem(token) : undefined;
      const sessionUid = (token as { sessionUid?: string } | undefined)?.sessionUid ?? ctx.oidc.session?.uid;
      return {
        accountId: account.id,
        // Memberships are read at every issuance, and only when the tenants scope is granted.
        claims: async (use, scope) => ({
          ...standardClaims(account),
          ...(held && use === 'id_token' ? held : {}),
          idp: await sessionIdp(deps.db, sessionUid, account.id),
          ...(scope.split(' ').includes(TENANTS_SCOPE) ? await tenantClaims(ctx, account.id, grantId) : {}),
        }),
      };
    },
    extraTokenClaims: async (ctx, token) => {
      const audience = token.resourceServer?.audience;
      // An app's API: active_tenant, all_tenants when asked for (client credentials: the client's tenant).
      if (apps && audience && audience !== apiResource(config.issuer)) return apps.tokenClaims(ctx, token);
      if (token.kind !== 'AccessToken' || !('accountId' in token) || !token.accountId) return undefined;
      // The Management API's tokens, and opaque tokens (their introspection), carry the tenant claims when the
      // person granted the tenants scope.
      const grant = ctx.oidc.entities.Grant;
      if (!grant?.getOIDCScope().split(' ').includes(TENANTS_SCOPE)) return undefined;
      return { ...(await tenantClaims(ctx, token.accountId, grant.jti)) };
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy,
    },
    clientBasedCORS: (_ctx, origin, client) =>
      origin !== 'null' && (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    features: {
      ...protocol.features,
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = renderer.render('pages/logout.njk', { form, clientName: ctx.oidc.client?.clientName });
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = renderer.render('pages/logged-out.njk', { clientName: ctx.oidc.client?.clientName });
        },
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderer.render('pages/error.njk', {
        status: ctx.status,
        code: out.error,
        // Our own words for known codes; the library's description otherwise (it never holds secrets).
        description: out.error_description,
      });
    },
  });
  provider.proxy = config.trustProxy;
  refreshWithTenant(provider, deps.tenants);
  provider.use(
    introspectJwtAccessTokens(deps.keys, config.issuer, async (id) => (await clientFlags(deps.db, id)) !== undefined),
  );
  provider.use(
    advertiseResourceScopes(async () => [...API_SCOPES, ...((await deps.resources?.publicPermissions()) ?? [])]),
  );
  // After a code is issued, before the redirect carrying it leaves: the request's tenant choice waits for that code.
  provider.use(async (ctx, next) => {
    await next();
    await holdTenantChoice(deps.tenants, ctx as KoaContextWithOIDC);
    await deps.codeClaims?.hold(ctx as KoaContextWithOIDC);
    await rememberSessionIdp(deps.db, ctx as KoaContextWithOIDC);
  });
  return provider;
}
