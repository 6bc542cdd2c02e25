// Configures oidc-provider: Tessera supplies storage, accounts, keys, pages and policies; the library does the protocol.
import type { KoaContextWithOIDC } from 'oidc-provider';
import Provider, { errors, interactionPolicy } from 'oidc-provider';
import type { AccountService } from '../accounts/service.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Account } from '../db/entities/index.js';
import type { Renderer } from '../render.js';
import type { Prompt } from '../interaction/kit.js';
import { holdTenantChoice, redeemTenantChoice } from '../tenants/choice.js';
import { type TenantDirectory, TENANTS_SCOPE } from '../tenants/claims.js';
import { createAdapter, type GrantDestroyedHook } from './adapter.js';
import type { KeySet } from '../keys/keys.js';
import { DPOP_ALGS } from './dpop.js';

/** Scopes of the Management API resource; who may be granted them is decided later, from the database. */
export const API_SCOPES = ['tenants:manage', 'tenants:admin'] as const;
export const apiResource = (issuer: string) => `${issuer}/api`;

export const TTL = {
  AccessToken: 3600,
  /** Short: a JWT cannot be revoked, and the API re-reads permissions at every call anyway. */
  ApiAccessToken: 900,
  AuthorizationCode: 60,
  ClientCredentials: 600,
  IdToken: 3600,
  Interaction: 3600,
  Session: 14 * 24 * 3600,
  Grant: 30 * 24 * 3600,
  RefreshToken: 14 * 24 * 3600,
} as const;

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

/** First-party clients are trusted by the operator: everything they ask for is granted without a consent page. */
async function loadExistingGrant(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const client = oidc.client!;
  const session = oidc.session!;
  const grantId = oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (!client.metadata().first_party) return existing;
  const grant = existing ?? new oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId! });
  grant.addOIDCScope([...oidc.requestParamScopes].join(' '));
  const claims = oidc.requestParamClaims ? [...oidc.requestParamClaims] : [];
  if (claims.length) grant.addOIDCClaims(claims);
  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    if (server.scope) grant.addResourceScope(indicator, server.scope);
  }
  await grant.save();
  return grant;
}

/** login -> consent -> the features' prompts, in the order app.ts hands them in. */
function interactionPolicyOf(deps: ProviderDeps) {
  const policy = interactionPolicy.base();
  for (const prompt of deps.prompts ?? []) policy.add(prompt);
  return policy;
}

export function createProvider(deps: ProviderDeps): Provider {
  const { config, renderer } = deps;
  const api = apiResource(config.issuer);

  const provider = new Provider(config.issuer, {
    adapter: createAdapter(deps.db, deps.onGrantDestroyed),
    jwks: deps.keys.providerJwks() as never,
    cookies: {
      keys: deps.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'locale', 'updated_at'],
      phone: ['phone_number', 'phone_number_verified'],
      [TENANTS_SCOPE]: ['active_tenant', 'all_tenants'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'phone', TENANTS_SCOPE],
    extraParams: {
      // Shape only here; whether it names one of the account's tenants is decided after sign-in.
      // Any string up to a JWS's size: a bad token gets Tessera's own page inside the flow, not an error to the app.
      invitation: async (_ctx, value) => {
        if (value !== undefined && (typeof value !== 'string' || value.length > 4096)) throw new errors.InvalidRequest('invitation must be an invitation token');
      },
      // Opens the registration form instead of the sign-in form (invitation pages use it).
      screen: async (_ctx, value) => {
        if (value !== undefined && value !== 'register') throw new errors.InvalidRequest('screen must be register');
      },
      tenant_hint: async (_ctx, value) => {
        if (value !== undefined && (typeof value !== 'string' || value.length > 100)) throw new errors.InvalidRequest('tenant_hint must be a tenant id or slug');
      },
    },
    conformIdTokenClaims: false,
    // Discovery advertises exactly the DPoP proof algorithms that the token endpoint and the API accept.
    enabledJWA: { dPoPSigningAlgValues: [...DPOP_ALGS] },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    extraClientMetadata: {
      properties: ['first_party', 'tenants_manage'],
      validator(_ctx, key, value) {
        if (value !== undefined && typeof value !== 'boolean') throw new errors.InvalidClientMetadata(`${key} must be a boolean`);
      },
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      ...TTL,
      // A resource server's own lifetime (the Management API's is short); the default otherwise.
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? TTL.AccessToken,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? TTL.ClientCredentials,
    },
    findAccount: async (ctx, sub, token) => {
      const account = await deps.accounts.findById(sub);
      if (!account || account.disabledAt) return undefined;
      const grantId = token?.grantId ?? ctx.oidc.entities.Grant?.jti;
      if (token?.kind === 'AuthorizationCode') await redeemTenantChoice(deps.tenants, ctx, token);
      return {
        accountId: account.id,
        // Memberships are read at every issuance, and only when the tenants scope is granted.
        claims: async (_use, scope) => ({
          ...standardClaims(account),
          ...(scope.split(' ').includes(TENANTS_SCOPE) ? await deps.tenants.claimsFor(account.id, grantId) : {}),
        }),
      };
    },
    // JWT access tokens for the API carry the tenant claims too, when the person granted the tenants scope.
    extraTokenClaims: async (ctx, token) => {
      if (token.kind !== 'AccessToken' || !('accountId' in token) || !token.accountId || !token.resourceServer) return undefined;
      const grant = ctx.oidc.entities.Grant;
      if (!grant?.getOIDCScope().split(' ').includes(TENANTS_SCOPE)) return undefined;
      return { ...(await deps.tenants.claimsFor(token.accountId, grant.jti)) };
    },
    loadExistingGrant,
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: interactionPolicyOf(deps),
    },
    clientBasedCORS: (_ctx, origin, client) =>
      origin !== 'null' && (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    features: {
      devInteractions: { enabled: false },
      // On by default in oidc-provider 9. Tokens it binds to a key (cnf.jkt) are refused by the
      // Management API without a proof by that key (oidc/dpop.ts), which checks the same algorithms.
      dPoP: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
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
      resourceIndicators: {
        enabled: true,
        // Client credentials without `resource` get a Management API token: it is the only resource.
        defaultResource: async (ctx, _client, oneOf) => oneOf ?? (ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials' ? api : undefined),
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx, indicator, client) => {
          if (indicator !== api) throw new errors.InvalidTarget();
          // tenants:manage (every tenant) only for clients the operator flagged; the API re-checks the flag.
          const scopes = client.metadata().tenants_manage === true ? API_SCOPES : API_SCOPES.filter((s) => s !== 'tenants:manage');
          return {
            scope: scopes.join(' '),
            audience: api,
            accessTokenTTL: TTL.ApiAccessToken,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
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
  // After a code is issued, before the redirect carrying it leaves: the request's tenant choice waits for that code.
  provider.use(async (ctx, next) => {
    await next();
    await holdTenantChoice(deps.tenants, ctx as KoaContextWithOIDC);
  });
  return provider;
}
