// OIDC clients (relying parties) as rows of the `clients` table; the adapter's Client model reads them.
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import { Client } from '../db/entities/index.js';

export interface NewClient {
  id?: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  grantTypes?: ('authorization_code' | 'refresh_token' | 'client_credentials')[];
  /** A public client (SPA, mobile) has no secret and must use PKCE. */
  isPublic?: boolean;
  firstParty?: boolean;
  initiateLoginUri?: string;
  /** May use client credentials with scope tenants:manage (every tenant, through the Management API). */
  tenantsManage?: boolean;
  /** Every sign-in to this app needs a second factor (acr urn:tessera:acr:mfa). */
  requireMfa?: boolean;
}

export interface ClientSummary {
  id: string;
  name: string;
  redirectUris: string[];
  grantTypes: string[];
  firstParty: boolean;
  isPublic: boolean;
  tenantsManage: boolean;
  createdAt: Date;
}

export class ClientError extends Error {}

function assertUrls(label: string, urls: string[]): void {
  for (const value of urls) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ClientError(`${label}: "${value}" is not an absolute URL`);
    }
    if (url.hash) throw new ClientError(`${label}: "${value}" must not have a fragment`);
  }
}

/** Registers a client; returns its id and, for confidential clients, the secret (shown once). */
export async function createClient(db: Database, input: NewClient): Promise<{ id: string; secret?: string }> {
  const grantTypes = input.grantTypes?.length ? input.grantTypes : ['authorization_code', 'refresh_token'];
  const usesRedirects = grantTypes.includes('authorization_code');
  if (usesRedirects && input.redirectUris.length === 0)
    throw new ClientError('redirect URIs: at least one is needed for the authorization code grant');
  if (input.isPublic && grantTypes.includes('client_credentials'))
    throw new ClientError('a public client cannot use client credentials');
  if (input.tenantsManage && !grantTypes.includes('client_credentials'))
    throw new ClientError('--tenants-manage needs the client_credentials grant');
  assertUrls('redirect URIs', input.redirectUris);
  assertUrls('post-logout redirect URIs', input.postLogoutRedirectUris ?? []);
  if (input.initiateLoginUri) {
    assertUrls('initiate login URI', [input.initiateLoginUri]);
    // OpenID Connect requires https here; oidc-provider would otherwise refuse the stored client at every request.
    if (!input.initiateLoginUri.startsWith('https://'))
      throw new ClientError('initiate login URI: must be an https URL');
  }

  const id = input.id ?? randomBytes(12).toString('base64url');
  if (!/^[\w.-]{3,100}$/.test(id)) throw new ClientError('client id: 3 to 100 letters, digits, ".", "_" or "-"');
  const secret = input.isPublic ? undefined : randomBytes(32).toString('base64url');
  const metadata = {
    client_name: input.name,
    redirect_uris: usesRedirects ? input.redirectUris : [],
    post_logout_redirect_uris: input.postLogoutRedirectUris ?? [],
    grant_types: grantTypes,
    response_types: usesRedirects ? ['code'] : [],
    token_endpoint_auth_method: secret ? 'client_secret_basic' : 'none',
    ...(secret ? { client_secret: secret } : {}),
    ...(input.initiateLoginUri ? { initiate_login_uri: input.initiateLoginUri } : {}),
    ...(input.tenantsManage ? { tenants_manage: true } : {}),
    ...(input.requireMfa ? { require_mfa: true } : {}),
  };
  await db.transaction(async (m) => {
    if (await m.existsBy(Client, { id })) throw new ClientError(`client id: "${id}" is taken`);
    await m.insert(Client, {
      id,
      metadata: JSON.stringify(metadata),
      firstParty: input.firstParty ?? false,
      createdAt: new Date(),
    });
  });
  return { id, secret };
}

export async function listClients(db: Database): Promise<ClientSummary[]> {
  const rows = await db.read((m) => m.find(Client, { order: { createdAt: 'ASC' } }));
  return rows.map((row) => {
    const meta = JSON.parse(row.metadata) as Record<string, unknown>;
    return {
      id: row.id,
      name: String(meta.client_name ?? ''),
      redirectUris: (meta.redirect_uris as string[]) ?? [],
      grantTypes: (meta.grant_types as string[]) ?? [],
      firstParty: row.firstParty,
      isPublic: meta.token_endpoint_auth_method === 'none',
      tenantsManage: meta.tenants_manage === true,
      createdAt: row.createdAt,
    };
  });
}

/** What invitations need of a client: its name, redirect URIs and login-initiation URI. */
export async function clientInfo(
  db: Database,
  id: string,
): Promise<{ name: string; redirectUris: string[]; initiateLoginUri?: string } | undefined> {
  const row = await db.read((m) => m.findOneBy(Client, { id }));
  if (!row) return undefined;
  const meta = JSON.parse(row.metadata) as {
    client_name?: string;
    redirect_uris?: string[];
    initiate_login_uri?: string;
  };
  return {
    name: meta.client_name ?? id,
    redirectUris: meta.redirect_uris ?? [],
    initiateLoginUri: meta.initiate_login_uri,
  };
}

/** What the Management API needs to know of a client, read fresh at every request; undefined once deleted. */
export async function clientFlags(db: Database, id: string): Promise<{ tenantsManage: boolean } | undefined> {
  const row = await db.read((m) => m.findOneBy(Client, { id }));
  if (!row) return undefined;
  return { tenantsManage: (JSON.parse(row.metadata) as { tenants_manage?: boolean }).tenants_manage === true };
}

export async function deleteClient(db: Database, id: string): Promise<boolean> {
  const result = await db.write((m) => m.delete(Client, { id }));
  return (result.affected ?? 0) > 0;
}

/**
 * Makes sure a client Tessera itself uses exists (the demo relying party), keeping its secret and
 * refreshing its URIs, which follow ISSUER and may have changed since the last start.
 */
export async function ensureClient(
  db: Database,
  id: string,
  build: () => NewClient,
): Promise<{ id: string; secret?: string }> {
  // The reads and writes below join the locked transaction (see Database.withLock).
  return db.withLock(`client:${id}`, async () => {
    const wanted = build();
    const row = await db.read((m) => m.findOneBy(Client, { id }));
    if (!row) return createClient(db, { ...wanted, id });
    const metadata: Record<string, unknown> = {
      ...(JSON.parse(row.metadata) as Record<string, unknown>),
      redirect_uris: wanted.redirectUris,
      post_logout_redirect_uris: wanted.postLogoutRedirectUris ?? [],
    };
    await db.write((m) => m.update(Client, { id }, { metadata: JSON.stringify(metadata) }));
    return { id, secret: metadata.client_secret as string | undefined };
  });
}
