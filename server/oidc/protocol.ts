// The protocol surface as configuration: what Tessera's provider and the bench's bare provider share
// (lifetimes, scopes, PKCE, refresh rotation, the Management API resource, first-party grants), so that
// the bench compares Tessera with exactly the protocol it runs, minus storage and pages.
import type { Client, Configuration, KoaContextWithOIDC, ResourceServer } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { DPOP_ALGS } from './dpop.js';

/** Scopes of the Management API resource; who may be granted them is decided later, from the database. */
export const API_SCOPES = ['tenants:manage', 'tenants:admin', 'operator'] as const;
/** The Management API's audience (resource indicator). */
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

/** The standard scopes and the claims each one releases (features add their own, e.g. `tenants`). */
export const STANDARD_CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'locale', 'updated_at'],
  phone: ['phone_number', 'phone_number_verified'],
};
export const STANDARD_SCOPES = ['openid', 'offline_access', 'email', 'profile', 'phone'];

/** First-party clients are trusted by the operator: everything they ask for is granted without a consent page. */
export async function loadExistingGrant(ctx: KoaContextWithOIDC) {
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

/**
 * The apps' own APIs (registered API resources), beside the Management API. Tessera's provider supplies them
 * (oidc/resource-servers.ts); the bench's bare provider has none.
 */
export interface AppResources {
  /** The resource server behind an indicator, with the scope a token for it may carry now; undefined if unknown. */
  serverInfo(ctx: KoaContextWithOIDC, indicator: string): Promise<ResourceServer | undefined>;
  /** The client's configured default resource, if any. */
  defaultFor(client: Client | undefined): string | undefined;
}

/** The Management API and the apps' registered APIs as resource servers, all with JWT access tokens. */
function resourceServers(
  issuer: string,
  apps?: AppResources,
): NonNullable<Configuration['features']>['resourceIndicators'] {
  const api = apiResource(issuer);
  return {
    enabled: true,
    // A client's configured default resource; else client credentials without `resource` get a Management
    // API token (the API was the only resource before apps could register theirs).
    defaultResource: async (ctx, client, oneOf) => {
      const preferred = apps?.defaultFor(client);
      if (oneOf) return preferred && oneOf.includes(preferred) ? preferred : oneOf;
      return (
        preferred ??
        (ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials' ? api : undefined)
      );
    },
    // An app with a default resource gets tokens for it at the token endpoint without naming it again;
    // others get the opaque userinfo token unless they send `resource`.
    useGrantedResource: async (ctx) => apps?.defaultFor(ctx.oidc.client) !== undefined,
    getResourceServerInfo: async (ctx, indicator, client) => {
      if (indicator !== api) {
        const app = await apps?.serverInfo(ctx, indicator);
        if (!app) throw new errors.InvalidTarget();
        return app;
      }
      // tenants:manage (every tenant) only for clients the operator flagged; operator (the operator API) only for
      // clients flagged for it and for first-party apps, where a person's operator role is checked at every call.
      const meta = client.metadata();
      const scopes = API_SCOPES.filter(
        (s) =>
          (s !== 'tenants:manage' || meta.tenants_manage === true) &&
          (s !== 'operator' || meta.operator === true || meta.first_party === true),
      );
      return {
        scope: scopes.join(' '),
        audience: api,
        accessTokenTTL: TTL.ApiAccessToken,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      };
    },
  };
}

/**
 * Everything about the protocol that does not depend on storage, accounts or pages. The caller adds
 * the adapter, keys, cookie keys, findAccount, claims beyond the standard ones, interactions and pages.
 */
export function protocolSettings(issuer: string, apps?: AppResources) {
  return {
    conformIdTokenClaims: false,
    // Discovery advertises exactly the DPoP proof algorithms that the token endpoint and the API accept.
    enabledJWA: { dPoPSigningAlgValues: [...DPOP_ALGS] },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
      token_endpoint_auth_method: 'client_secret_basic',
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
    loadExistingGrant,
    features: {
      devInteractions: { enabled: false },
      // On by default in oidc-provider 9. Tokens it binds to a key (cnf.jkt) are refused by the
      // Management API without a proof by that key (oidc/dpop.ts), which checks the same algorithms.
      dPoP: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Any confidential client (a resource server is one) may ask about any token; a public client only
        // about its own. The same rule holds for JWT access tokens (oidc/introspection.ts).
        allowedPolicy: async (ctx, client, token) =>
          client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId,
      },
      revocation: {
        enabled: true,
        // A client revokes only its own tokens.
        allowedPolicy: async (ctx, _client, token) => token.clientId === ctx.oidc.client?.clientId,
      },
      userinfo: { enabled: true },
      resourceIndicators: resourceServers(issuer, apps),
    },
  } satisfies Configuration;
}
