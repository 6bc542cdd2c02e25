// The relying-party side of an upstream sign-in, through openid-client: discovery (OIDC) or configured
// endpoints (OAuth 2.0), the authorization URL with state, nonce and PKCE, and the code exchange with the
// ID token checked against the upstream's JWKS (or the claims read from userinfo). Nothing here is logged.
import * as client from 'openid-client';
import type { LiveConnection } from './connections.js';
import type { SamlServiceProvider } from './saml.js';

/** What came back from upstream, before the claim mapping. */
export type UpstreamClaims = Record<string, unknown>;

/** How long a discovered configuration (and so the JWKS location) is reused. */
const DISCOVERY_TTL_MS = 10 * 60_000;

export class UpstreamClient {
  private readonly configs = new Map<string, { config: Promise<client.Configuration>; until: number }>();

  constructor(
    private readonly options: { allowHttp: boolean; redirectUri: (slug: string) => string; saml: SamlServiceProvider },
  ) {}

  /** A SAML AuthnRequest's ID: the state, as an XML ID (it comes back as InResponseTo). */
  static samlRequestId(state: string): string {
    return `_${state}`;
  }

  async authorizationUrl(
    connection: LiveConnection,
    checks: { state: string; nonce: string; codeVerifier: string },
    { reauthenticate = false, loginHint }: { reauthenticate?: boolean; loginHint?: string } = {},
  ): Promise<URL> {
    if (connection.kind === 'saml')
      return this.options.saml.authorizeUrl(connection, UpstreamClient.samlRequestId(checks.state), {
        forceAuthn: reauthenticate,
      });
    const config = await this.configOf(connection);
    const scope = connection.settings.scopes.join(' ');
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri(connection.slug),
      ...(scope ? { scope } : {}),
      // Linking proves the person is there now: an OpenID provider is asked to sign them in afresh.
      ...(reauthenticate && connection.kind === 'oidc' ? { prompt: 'login' } : {}),
      // The address the person typed at Tessera (home-realm discovery): the provider need not ask again.
      ...(loginHint && connection.kind === 'oidc' ? { login_hint: loginHint } : {}),
      state: checks.state,
      ...(connection.kind === 'oidc' ? { nonce: checks.nonce } : {}),
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /** Exchanges the code in the callback URL and returns the upstream's claims; throws on anything amiss. */
  async claims(
    connection: LiveConnection,
    callbackUrl: URL,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<UpstreamClaims> {
    const config = await this.configOf(connection);
    const oidc = connection.kind === 'oidc';
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      expectedState: checks.state,
      pkceCodeVerifier: checks.codeVerifier,
      ...(oidc ? { expectedNonce: checks.nonce, idTokenExpected: true } : {}),
    });
    if (oidc) {
      const idToken = tokens.claims()!;
      // Some providers put e-mail and name only in userinfo: read it when the ID token lacks the e-mail.
      if (idToken[connection.claims.email] === undefined && config.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
        return { ...info, ...idToken };
      }
      return { ...idToken };
    }
    // OAuth 2.0 userinfo has no standard shape (often no `sub`): read it as JSON and map it.
    const info = await client.fetchProtectedResource(
      config,
      tokens.access_token,
      new URL(connection.settings.userinfoEndpoint!),
      'GET',
      undefined,
      new Headers({ accept: 'application/json' }),
    );
    if (!info.ok) throw new Error(`userinfo answered ${info.status}`);
    const body: unknown = await info.json();
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('userinfo is not a JSON object');
    return body as UpstreamClaims;
  }

  private configOf(connection: LiveConnection): Promise<client.Configuration> {
    const hit = this.configs.get(connection.version);
    if (hit && hit.until > Date.now()) return hit.config;
    const config = this.build(connection);
    this.configs.set(connection.version, { config, until: Date.now() + DISCOVERY_TTL_MS });
    config.catch(() => this.configs.delete(connection.version)); // a failed discovery is tried again next time
    return config;
  }

  private async build(connection: LiveConnection): Promise<client.Configuration> {
    const { settings } = connection;
    const secret = connection.secret();
    const auth = secret ? client.ClientSecretPost(secret) : client.None();
    const execute = this.options.allowHttp ? [client.allowInsecureRequests] : [];
    if (connection.kind === 'oidc')
      return client.discovery(new URL(settings.issuer!), settings.clientId, undefined, auth, { execute });
    const config = new client.Configuration(
      {
        issuer: new URL(settings.authorizationEndpoint!).origin,
        authorization_endpoint: settings.authorizationEndpoint,
        token_endpoint: settings.tokenEndpoint,
        userinfo_endpoint: settings.userinfoEndpoint,
      },
      settings.clientId,
      undefined,
      auth,
    );
    for (const extra of execute) extra(config);
    return config;
  }
}

/** Reads `path` (dots reach into objects) from the claims. */
export function claimAt(claims: UpstreamClaims, path: string): unknown {
  // A claim whose own name has dots (a SAML attribute named by a URI) is read as it is.
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
