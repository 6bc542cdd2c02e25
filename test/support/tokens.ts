// Real access tokens for tests, obtained the way apps obtain them.
import * as oidc from 'openid-client';
import { createClient } from '../../server/oidc/clients.js';
import { insertMembership } from '../../server/tenants/service.js';
import type { TestServer } from './server.js';
import { UserAgent } from './user-agent.js';

const insecure = { execute: [oidc.allowInsecureRequests] };

/** A token by client credentials for `<issuer>/api`, for a new client with these flags. */
async function newClientToken(
  server: TestServer,
  flags: { tenantsManage?: boolean; operator?: boolean },
  scope: string,
) {
  const { id, secret } = await createClient(server.db, {
    name: flags.operator ? 'Ops' : 'Backend',
    redirectUris: [],
    grantTypes: ['client_credentials'],
    ...flags,
  });
  const rp = await oidc.discovery(new URL(server.url), id, secret, undefined, insecure);
  return (await oidc.clientCredentialsGrant(rp, { scope, resource: `${server.url}/api` })).access_token;
}

/** A backend client's API token by client credentials (`manage`: flagged for tenants:manage). */
export function clientToken(server: TestServer, { manage }: { manage: boolean }): Promise<string> {
  return newClientToken(server, { tenantsManage: manage }, manage ? 'tenants:manage' : 'tenants:admin');
}

/** An operator client's token by client credentials, as the CLI gets one (scope operator). */
export function operatorToken(server: TestServer): Promise<string> {
  return newClientToken(server, { operator: true }, 'operator');
}

export interface Person {
  id: string;
  email: string;
  password: string;
}

/** A verified account that signs in with a password. */
export async function person(server: TestServer, name: string): Promise<Person> {
  const email = `${name.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const password = 'correct horse battery staple';
  const account = await server.tessera.accounts.createAccount({ email, name, password, verified: true });
  return { id: account.id, email, password };
}

/** A person who is already a member of tenants: tenant id -> roles. */
export async function memberOf(
  server: TestServer,
  name: string,
  memberships: Record<string, string[]>,
): Promise<Person> {
  const who = await person(server, name);
  await server.db.transaction(async (m) => {
    for (const [tenantId, roles] of Object.entries(memberships))
      await insertMembership(m, tenantId, who.id, roles, null);
  });
  return who;
}

export interface SignInResult {
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  browser: UserAgent;
  rp: oidc.Configuration;
}

let appClient: Promise<oidc.Configuration> | undefined;
let appServer: TestServer | undefined;

/** A first-party app (no consent page) registered once per server. */
export function firstPartyApp(server: TestServer): Promise<oidc.Configuration> {
  if (appServer !== server) {
    appServer = server;
    appClient = createClient(server.db, {
      name: 'Portal',
      redirectUris: [`${server.url}/app/callback`],
      firstParty: true,
    }).then(({ id, secret }) => oidc.discovery(new URL(server.url), id, secret, undefined, insecure));
  }
  return appClient!;
}

/**
 * Signs a person in through the real pages with code + PKCE and returns the tokens.
 * `onPage` answers any page after the password (e.g. choose a tenant); it returns the next page.
 */
export async function signIn(
  server: TestServer,
  who: Person,
  {
    scope = 'openid email tenants',
    params = {},
    api = false,
    browser = new UserAgent(server.url),
    onPage,
    app,
  }: {
    scope?: string;
    params?: Record<string, string>;
    api?: boolean;
    browser?: UserAgent;
    /** Another app than the first-party Portal (its redirect URI must be `<issuer>/app/callback`). */
    app?: oidc.Configuration;
    onPage?: (page: Awaited<ReturnType<UserAgent['follow']>>) => Promise<Awaited<ReturnType<UserAgent['follow']>>>;
  } = {},
): Promise<SignInResult> {
  const rp = app ?? (await firstPartyApp(server));
  const verifier = oidc.randomPKCECodeVerifier();
  const resource: Record<string, string> = api ? { resource: `${server.url}/api` } : {};
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: `${server.url}/app/callback`,
    scope,
    state: 's',
    ...resource,
    ...params,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  let page = await browser.follow(url.href);
  if (/action="\/interaction\/[^"]+\/login"/.test(page.html))
    page = await browser.submit(page, /\/login$/, { email: who.email, password: who.password });
  for (let steps = 0; !page.location?.includes('/app/callback') && onPage; steps++) {
    if (steps === 10) throw new Error(`sign-in still not back at the app after 10 pages: ${page.status} ${page.url}`);
    page = await onPage(page);
  }
  if (!page.location?.includes('/app/callback'))
    throw new Error(`sign-in did not return to the app: ${page.status} ${page.html.slice(0, 800)}`);
  const tokens = await oidc.authorizationCodeGrant(
    rp,
    new URL(page.location),
    { pkceCodeVerifier: verifier, expectedState: 's' },
    resource,
  );
  return { tokens, browser, rp };
}

/** A person's access token for the Management API (scope tenants:admin). */
export async function userToken(server: TestServer, who: Person, scope = 'openid tenants:admin'): Promise<string> {
  return (await signIn(server, who, { scope, api: true })).tokens.access_token;
}

/** Starts the app's sign-in in a new browser and submits the password; returns the first page after it. */
export async function pageAfterSignIn(
  server: TestServer,
  who: Person,
  { scope = 'openid tenants', params = {} }: { scope?: string; params?: Record<string, string> } = {},
): Promise<{ browser: UserAgent; page: Awaited<ReturnType<UserAgent['follow']>> }> {
  const rp = await firstPartyApp(server);
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: `${server.url}/app/callback`,
    scope,
    state: 's',
    ...params,
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  });
  const browser = new UserAgent(server.url);
  const login = await browser.follow(url.href);
  return { browser, page: await browser.submit(login, /\/login$/, { email: who.email, password: who.password }) };
}
