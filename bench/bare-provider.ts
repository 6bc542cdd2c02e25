// A bare oidc-provider 9 with nothing persisted: the ceiling Tessera's persistence and pages add cost to.
//
// Configured with the protocol settings Tessera's provider uses (server/oidc/protocol.ts: lifetimes, scopes,
// PKCE, refresh rotation, DPoP, the `${issuer}/api` resource with ES256 JWT access tokens, first-party
// auto-grant) and ES256 + RS256 keys, but with an in-memory adapter, a static client and a static account. Its sign-in "page" is a bare form whose POST verifies an
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
import type { Adapter, AdapterPayload } from 'oidc-provider';
import Provider from 'oidc-provider';
import { protocolSettings, STANDARD_CLAIMS, STANDARD_SCOPES } from '../server/oidc/protocol.js';
import { TENANTS_SCOPE } from '../server/tenants/claims.js';

const port = Number(process.env.PORT ?? 4000);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.CLIENT_ID ?? 'bench-client';
const clientSecret = process.env.CLIENT_SECRET ?? randomBytes(32).toString('base64url');
const password = process.env.BENCH_PASSWORD ?? 'bench-password-1';
const argon2 = {
  memoryCost: Number(process.env.ARGON2_MEMORY_KIB ?? 7168),
  timeCost: Number(process.env.ARGON2_ITERATIONS ?? 5),
};
const ACCOUNT_ID = '00000000-0000-4000-8000-000000000001';

/** A Map per process; expiry checked on read; one Set per grant for revocation. */
function mapAdapter(): new (name: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const byGrant = new Map<string, Set<string>>();
  return class MapAdapter implements Adapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      const key = this.key(id);
      store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      if (payload.uid) byUid.set(payload.uid, id);
      if (payload.userCode) byUserCode.set(payload.userCode, id);
      if (payload.grantId) {
        const set = byGrant.get(payload.grantId) ?? new Set<string>();
        byGrant.set(payload.grantId, set);
        set.add(key);
      }
    }
    async find(id: string) {
      const row = store.get(this.key(id));
      if (!row) return undefined;
      if (row.expiresAt <= Date.now()) {
        store.delete(this.key(id));
        return undefined;
      }
      return row.payload;
    }
    async findByUid(uid: string) {
      const id = byUid.get(uid);
      return id ? this.find(id) : undefined;
    }
    async findByUserCode(code: string) {
      const id = byUserCode.get(code);
      return id ? this.find(id) : undefined;
    }
    async consume(id: string) {
      const row = store.get(this.key(id));
      if (row) row.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const key of byGrant.get(grantId) ?? []) store.delete(key);
      byGrant.delete(grantId);
    }
  };
}

function jwk(alg: 'ES256' | 'RS256') {
  const { privateKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(12).toString('base64url'), alg, use: 'sig' };
}

const account = {
  sub: ACCOUNT_ID,
  email: 'bench@example.test',
  email_verified: true,
  name: 'Bench Person',
  locale: 'en',
  updated_at: Math.floor(Date.now() / 1000),
};
/** The tenant claims of one membership, as Tessera's bench accounts have (one tenant each, admin). */
const tenant = {
  tenant_id: '00000000-0000-4000-8000-0000000000aa',
  tenant_name: 'Bench tenant',
  roles: ['tenant-admin'],
};
const tenantClaims = { active_tenant: tenant, all_tenants: [tenant] };

const adapter = process.env.BARE_ADAPTER === 'builtin' ? undefined : mapAdapter();
const protocol = protocolSettings(issuer);
const provider = new Provider(issuer, {
  ...protocol,
  ...(adapter ? { adapter } : {}),
  jwks: { keys: [jwk('ES256'), jwk('RS256')] } as never,
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      client_name: 'bench',
      redirect_uris: [`${issuer}/cb`],
      post_logout_redirect_uris: [],
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      first_party: true,
    },
  ],
  cookies: {
    keys: [randomBytes(32).toString('base64url')],
    long: { signed: true, httpOnly: true, sameSite: 'lax' },
    short: { signed: true, httpOnly: true, sameSite: 'lax' },
  },
  claims: { ...STANDARD_CLAIMS, [TENANTS_SCOPE]: ['active_tenant', 'all_tenants'] },
  scopes: [...STANDARD_SCOPES, TENANTS_SCOPE],
  extraClientMetadata: { properties: ['first_party'] },
  findAccount: async (_ctx, sub) =>
    sub === ACCOUNT_ID ? { accountId: sub, claims: async () => ({ ...account, ...tenantClaims }) } : undefined,
  // Like Tessera: access tokens of a grant with the tenants scope carry the tenant claims (introspection, JWTs).
  extraTokenClaims: async (ctx, token) =>
    token.kind === 'AccessToken' && ctx.oidc.entities.Grant?.getOIDCScope().split(' ').includes(TENANTS_SCOPE)
      ? tenantClaims
      : undefined,
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { ...protocol.features, rpInitiatedLogout: { enabled: true } },
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
    ctx.body =
      `<!doctype html><form method="post" action="/interaction/${details.uid}/login">` +
      `<input type="hidden" name="_csrf" value="bare"><input name="email"><input name="password" type="password"></form>`;
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
    const to = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: ACCOUNT_ID } },
      { mergeWithLastSubmission: false },
    );
    ctx.redirect(to);
    ctx.status = 303;
    return;
  }
  return next();
});

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ ready: true, issuer, clientId, clientSecret, adapter: adapter ? 'map' : 'builtin' })}\n`,
  );
});
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
