// A bare oidc-provider 9 with nothing persisted: the ceiling Tessera's persistence and pages add cost to.
//
// Configured like server/oidc/provider.ts (same features, ES256 + RS256 keys, JWT ES256 access tokens for
// the `${issuer}/api` resource, refresh rotation, PKCE, first-party auto-grant) but with an in-memory
// adapter, a static client and a static account. Its sign-in "page" is a bare form whose POST verifies an
// argon2id hash with Tessera's parameters, so the sign-in flow has the same password cost and no other.
//
//   PORT=4000 node --import tsx bench/bare-provider.ts
//
// Env: PORT, CLIENT_ID, CLIENT_SECRET, BENCH_PASSWORD, ARGON2_MEMORY_KIB (7168), ARGON2_ITERATIONS (5),
// BARE_ADAPTER=map|builtin (default map: the library's MemoryAdapter keeps one Map of every token per grant
// and rescans it on each save, which makes a long refresh chain O(n); `map` is O(1) per call).
// Prints one JSON line `{"ready":true,...}` on stdout once listening.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import type { Adapter, AdapterPayload, KoaContextWithOIDC } from 'oidc-provider';
import Provider, { errors } from 'oidc-provider';

const port = Number(process.env.PORT ?? 4000);
const issuer = `http://127.0.0.1:${port}`;
const api = `${issuer}/api`;
const clientId = process.env.CLIENT_ID ?? 'bench-client';
const clientSecret = process.env.CLIENT_SECRET ?? randomBytes(32).toString('base64url');
const password = process.env.BENCH_PASSWORD ?? 'bench-password-1';
const argon2 = { memoryCost: Number(process.env.ARGON2_MEMORY_KIB ?? 7168), timeCost: Number(process.env.ARGON2_ITERATIONS ?? 5) };
const ACCOUNT_ID = '00000000-0000-4000-8000-000000000001';

const TTL = {
  AccessToken: 3600, AuthorizationCode: 60, ClientCredentials: 600, IdToken: 3600, Interaction: 3600,
  Session: 14 * 24 * 3600, Grant: 30 * 24 * 3600, RefreshToken: 14 * 24 * 3600,
} as const;

/** A Map per process; expiry checked on read; one Set per grant for revocation. */
function mapAdapter(): new (name: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const byGrant = new Map<string, Set<string>>();
  return class MapAdapter implements Adapter {
    constructor(private readonly model: string) {}
    private key(id: string) { return `${this.model}:${id}`; }
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      const key = this.key(id);
      store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      if (payload.uid) byUid.set(payload.uid, id);
      if (payload.userCode) byUserCode.set(payload.userCode, id);
      if (payload.grantId) {
        let set = byGrant.get(payload.grantId);
        if (!set) byGrant.set(payload.grantId, (set = new Set()));
        set.add(key);
      }
    }
    async find(id: string) {
      const row = store.get(this.key(id));
      if (!row) return undefined;
      if (row.expiresAt <= Date.now()) { store.delete(this.key(id)); return undefined; }
      return row.payload;
    }
    async findByUid(uid: string) { const id = byUid.get(uid); return id ? this.find(id) : undefined; }
    async findByUserCode(code: string) { const id = byUserCode.get(code); return id ? this.find(id) : undefined; }
    async consume(id: string) { const row = store.get(this.key(id)); if (row) row.payload.consumed = Math.floor(Date.now() / 1000); }
    async destroy(id: string) { store.delete(this.key(id)); }
    async revokeByGrantId(grantId: string) {
      for (const key of byGrant.get(grantId) ?? []) store.delete(key);
      byGrant.delete(grantId);
    }
  };
}

function jwk(alg: 'ES256' | 'RS256') {
  const { privateKey } = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(12).toString('base64url'), alg, use: 'sig' };
}

/** Same as Tessera's: a first-party client gets everything it asks for, no consent page. */
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

const account = {
  sub: ACCOUNT_ID, email: 'bench@example.test', email_verified: true, name: 'Bench Person', locale: 'en',
  updated_at: Math.floor(Date.now() / 1000),
};

const adapter = process.env.BARE_ADAPTER === 'builtin' ? undefined : mapAdapter();
const provider = new Provider(issuer, {
  ...(adapter ? { adapter } : {}),
  jwks: { keys: [jwk('ES256'), jwk('RS256')] } as never,
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    client_name: 'bench',
    redirect_uris: [`${issuer}/cb`],
    post_logout_redirect_uris: [],
    grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    first_party: true,
  }],
  cookies: {
    keys: [randomBytes(32).toString('base64url')],
    long: { signed: true, httpOnly: true, sameSite: 'lax' },
    short: { signed: true, httpOnly: true, sameSite: 'lax' },
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'locale', 'updated_at'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  scopes: ['openid', 'offline_access', 'email', 'profile', 'phone'],
  conformIdTokenClaims: false,
  clientDefaults: {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: 'ES256',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  extraClientMetadata: { properties: ['first_party'] },
  responseTypes: ['code'],
  pkce: { required: () => true },
  rotateRefreshToken: true,
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  ttl: { ...TTL },
  findAccount: async (_ctx, sub) => (sub === ACCOUNT_ID ? { accountId: sub, claims: async () => account } : undefined),
  loadExistingGrant,
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, _client, oneOf) => oneOf ?? (ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials' ? api : undefined),
      useGrantedResource: async () => false,
      getResourceServerInfo: async (_ctx, indicator) => {
        if (indicator !== api) throw new errors.InvalidTarget();
        return {
          scope: 'tenants:manage tenants:admin',
          audience: api,
          accessTokenTTL: TTL.AccessToken,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
});

const passwordHash = await hash(password, { algorithm: Algorithm.Argon2id, ...argon2, parallelism: 1 });

async function readForm(req: import('node:http').IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// The sign-in "pages": just enough HTML for the bench's driver (which reads the hidden _csrf and the action).
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(ctx.path);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET' && !match[2]) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><form method="post" action="/interaction/${details.uid}/login">`
      + `<input type="hidden" name="_csrf" value="bare"><input name="email"><input name="password" type="password"></form>`;
    return;
  }
  if (ctx.method === 'POST' && match[2]) {
    const form = await readForm(ctx.req);
    const ok = form.get('email') === account.email || form.get('email')?.endsWith('@bench.test');
    if (!ok || !(await verify(passwordHash, form.get('password') ?? ''))) {
      ctx.status = 400;
      ctx.body = 'invalid credentials';
      return;
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: ACCOUNT_ID } }, { mergeWithLastSubmission: false });
    ctx.redirect(to);
    ctx.status = 303;
    return;
  }
  return next();
});

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: true, issuer, clientId, clientSecret, adapter: adapter ? 'map' : 'builtin' })}\n`);
});
const stop = () => { server.closeAllConnections(); server.close(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
