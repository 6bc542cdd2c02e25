// Upstream identity providers for federation tests, on 127.0.0.1 with a free port: a bare oidc-provider
// with its development login form (any login name, whose claims the test sets), and an OAuth 2.0-only
// server (authorize with a tiny form, token with PKCE, userinfo) whose claims have names of its own.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface Upstream {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The claims each login name signs in with (change them between sign-ins). */
  people: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const closer = (server: Server) => () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/**
 * Claims for a login name nobody set claims for (the browser tests type them): `verified:<e-mail>` and
 * `unverified:<e-mail>` bring that e-mail (and a name), anything else no e-mail at all; a `;groups=a,b`
 * at the end brings those groups.
 */
export function claimsFromLogin(login: string): Record<string, unknown> {
  const [who = '', groups] = login.split(';groups=', 2);
  const withGroups = groups ? { groups: groups.split(',') } : {};
  const [kind, email] = who.split(':', 2);
  if (!email || (kind !== 'verified' && kind !== 'unverified')) return withGroups;
  return { email, email_verified: kind === 'verified', name: `Upstream ${email.split('@')[0]}`, ...withGroups };
}

/** A bare OpenID provider; `redirectUris` are Tessera's callbacks for the connections that use it. */
export async function startOidcUpstream(redirectUris: string[]): Promise<Upstream> {
  const server = createServer();
  const url = await listen(server);
  const people = new Map<string, Record<string, unknown>>();
  const clientId = 'tessera';
  const clientSecret = randomBytes(16).toString('hex');
  const provider = new Provider(url, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    // Tessera's own provider runs on 127.0.0.1 too, and cookies ignore ports: other names keep them apart.
    cookies: {
      names: { session: 'up_session', interaction: 'up_interaction', resume: 'up_resume' },
      keys: ['upstream-test-key'],
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, ...(people.get(sub) ?? claimsFromLogin(sub)) }),
    }),
    // No consent page: the test is about Tessera, not the upstream.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  server.on('request', provider.callback());
  return { url, clientId, clientSecret, people, close: closer(server) };
}

async function bodyOf(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return new URLSearchParams(text);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * An OAuth 2.0 provider without OpenID Connect: /authorize shows a form (login name, or cancel), /token
 * checks the client, the redirect URI and PKCE, /userinfo answers with claims named its own way.
 */
export async function startOAuth2Upstream(): Promise<Upstream> {
  const people = new Map<string, Record<string, unknown>>();
  const clientId = 'tessera-oauth';
  const clientSecret = randomBytes(16).toString('hex');
  const codes = new Map<string, { login: string; redirectUri: string; challenge: string }>();
  const tokens = new Map<string, string>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    const answer = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const hidden = ['redirect_uri', 'state', 'code_challenge', 'client_id']
        .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(url.searchParams.get(k) ?? '')}">`)
        .join('');
      return answer(
        200,
        `<form method="post" action="/authorize">${hidden}<input name="login"><button name="decision" value="allow">Allow</button><button name="decision" value="cancel">Cancel</button></form>`,
        'text/html',
      );
    }
    if (req.method === 'POST' && url.pathname === '/authorize') {
      const form = await bodyOf(req);
      const back = new URL(form.get('redirect_uri')!);
      back.searchParams.set('state', form.get('state') ?? '');
      if (form.get('decision') === 'cancel') back.searchParams.set('error', 'access_denied');
      else {
        const code = randomBytes(16).toString('hex');
        codes.set(code, {
          login: form.get('login') ?? '',
          redirectUri: form.get('redirect_uri')!,
          challenge: form.get('code_challenge') ?? '',
        });
        back.searchParams.set('code', code);
      }
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      const form = await bodyOf(req);
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (
        !grant ||
        form.get('client_id') !== clientId ||
        form.get('client_secret') !== clientSecret ||
        form.get('redirect_uri') !== grant.redirectUri ||
        challenge !== grant.challenge
      )
        return answer(400, { error: 'invalid_grant' });
      const token = randomBytes(16).toString('hex');
      tokens.set(token, grant.login);
      return answer(200, { access_token: token, token_type: 'Bearer', expires_in: 600 });
    }
    if (req.method === 'GET' && url.pathname === '/userinfo') {
      const login = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!login) return answer(401, { error: 'invalid_token' });
      return answer(200, { ...(people.get(login) ?? {}), id: `user-${login}` });
    }
    answer(404, { error: 'not_found' });
  });
  const url = await listen(server);
  return { url, clientId, clientSecret, people, close: closer(server) };
}
