// The protocol surface as configuration: what Tessera's provider and the bench's bare provider share
// (lifetimes, scopes, PKCE, refresh rotation, the Management API resource, first-party grants), so that
// the bench compares Tessera with exactly the protocol it runs, minus storage and pages.
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { DPOP_ALGS } from './dpop.js';

/** Scopes of the Management API resource; who may be granted them is decided later, from the database. */
export const API_SCOPES = ['tenants:manage', 'tenants:admin', 'operator'] as const;
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

/** The Management API as the one resource server: ES256 JWT access tokens with a short life. */
function managementApi(issuer: string): NonNullable<Configuration['features']>['resourceIndicators'] {
  const api = apiResource(issuer);
  return {
    enabled: true,
    // Client credentials without `resource` get a Management API token: it is the only resource.
    defaultResource: async (ctx, _client, oneOf) =>
      oneOf ?? (ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials' ? api : undefined),
    useGrantedResource: async () => false,
    getResourceServerInfo: async (_ctx, indicator, client) => {
      if (indicator !== api) throw new errors.InvalidTarget();
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
export function protocolSettings(issuer: string) {
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
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: managementApi(issuer),
    },
  } satisfies Configuration;
}
