// OIDC clients (relying parties) as rows of the `clients` table; the adapter's Client model reads them.
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import { decodeCursor, LIKE_ESCAPE, likePattern, type Page, toPage } from '../db/cursor.js';
import type { Database } from '../db/database.js';
import { Client } from '../db/entities/index.js';
import { Conflict, NotFound, Unprocessable } from '../errors.js';

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
  /** May use client credentials with scope operator (the operator API under /api/admin, e.g. the CLI). */
  operator?: boolean;
  /** Every sign-in to this app needs a second factor (acr urn:tessera:acr:mfa). */
  requireMfa?: boolean;
}

/** What an operator may change of a client; absent fields stay as they are. */
export interface ClientChanges {
  name?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  firstParty?: boolean;
  initiateLoginUri?: string | null;
  tenantsManage?: boolean;
  operator?: boolean;
}

export interface ClientSummary {
  id: string;
  name: string;
  redirectUris: string[];
  grantTypes: string[];
  firstParty: boolean;
  isPublic: boolean;
  tenantsManage: boolean;
  operator: boolean;
  requireMfa: boolean;
  postLogoutRedirectUris: string[];
  initiateLoginUri: string | null;
  createdAt: Date;
}

/** A client that breaks a rule (a bad URI, a grant that does not fit): 422 with the rule in words. */
export class ClientError extends Unprocessable {
  constructor(description: string) {
    super(description, 'invalid_client_metadata');
  }
}

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
export async function createClient(
  db: Database,
  input: NewClient,
  by = 'cli',
): Promise<{ id: string; secret?: string }> {
  const grantTypes = input.grantTypes?.length ? input.grantTypes : ['authorization_code', 'refresh_token'];
  const usesRedirects = grantTypes.includes('authorization_code');
  if (input.isPublic && grantTypes.includes('client_credentials'))
    throw new ClientError('a public client cannot use client credentials');
  assertSettings({ ...input, grantTypes });

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
    ...(input.operator ? { operator: true } : {}),
    ...(input.requireMfa ? { require_mfa: true } : {}),
  };
  await db.transaction(async (m) => {
    if (await m.existsBy(Client, { id })) throw new Conflict(`client id: "${id}" is taken`, 'client_exists');
    await m.insert(Client, {
      id,
      metadata: JSON.stringify(metadata),
      firstParty: input.firstParty ?? false,
      createdAt: new Date(),
    });
    await recordAudit(m, { type: 'client.created', actor: by, subject: id, data: { grant_types: grantTypes } });
  });
  return { id, secret };
}

/** The rules every stored client keeps, whether created or changed. */
function assertSettings(input: {
  grantTypes: string[];
  isPublic?: boolean;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  initiateLoginUri?: string | null;
  tenantsManage?: boolean;
  operator?: boolean;
}): void {
  if (input.grantTypes.includes('authorization_code') && input.redirectUris.length === 0)
    throw new ClientError('redirect URIs: at least one is needed for the authorization code grant');
  if (input.tenantsManage && !input.grantTypes.includes('client_credentials'))
    throw new ClientError('--tenants-manage needs the client_credentials grant');
  if (input.operator && !input.grantTypes.includes('client_credentials'))
    throw new ClientError('--operator needs the client_credentials grant');
  assertUrls('redirect URIs', input.redirectUris);
  assertUrls('post-logout redirect URIs', input.postLogoutRedirectUris ?? []);
  if (input.initiateLoginUri) {
    assertUrls('initiate login URI', [input.initiateLoginUri]);
    // OpenID Connect requires https here; oidc-provider would otherwise refuse the stored client at every request.
    if (!input.initiateLoginUri.startsWith('https://'))
      throw new ClientError('initiate login URI: must be an https URL');
  }
}

function toSummary(row: Client): ClientSummary {
  const meta = JSON.parse(row.metadata) as Record<string, unknown>;
  return {
    id: row.id,
    name: String(meta.client_name ?? ''),
    redirectUris: (meta.redirect_uris as string[]) ?? [],
    postLogoutRedirectUris: (meta.post_logout_redirect_uris as string[]) ?? [],
    grantTypes: (meta.grant_types as string[]) ?? [],
    firstParty: row.firstParty,
    isPublic: meta.token_endpoint_auth_method === 'none',
    tenantsManage: meta.tenants_manage === true,
    operator: meta.operator === true,
    requireMfa: meta.require_mfa === true,
    initiateLoginUri: typeof meta.initiate_login_uri === 'string' ? meta.initiate_login_uri : null,
    createdAt: row.createdAt,
  };
}

export async function listClients(db: Database): Promise<ClientSummary[]> {
  const rows = await db.read((m) => m.find(Client, { order: { createdAt: 'ASC' } }));
  return rows.map(toSummary);
}

/** A page of clients in id order (the operator API's listing), optionally those whose id or name contains `search`. */
export async function pageClients(
  db: Database,
  { limit, cursor, search }: { limit: number; cursor?: string; search?: string },
): Promise<Page<ClientSummary>> {
  const after = decodeCursor(cursor);
  return db.read(async (m) => {
    const q = m
      .createQueryBuilder(Client, 'c')
      .orderBy('c.id', 'ASC')
      .take(limit + 1);
    if (after) q.andWhere('c.id > :after', { after });
    // The name lives in the metadata, beside the secret: match the extracted name only, never the whole text.
    if (search)
      q.andWhere(
        `(LOWER(c.id) LIKE :pattern ${LIKE_ESCAPE} OR LOWER(JSON_EXTRACT(c.metadata, '$.client_name')) LIKE :pattern ${LIKE_ESCAPE})`,
        { pattern: likePattern(search) },
      );
    return toPage(await q.getMany(), limit, (c) => c.id, toSummary);
  });
}

const noClient = (id: string) => new NotFound(`There is no client "${id}".`, 'client_not_found');

export async function getClient(db: Database, id: string): Promise<ClientSummary> {
  const row = await db.read((m) => m.findOneBy(Client, { id }));
  if (!row) throw noClient(id);
  return toSummary(row);
}

/** Reads a client's row for a change (locked on MySQL, so two changes apply one after the other). */
async function lockedClient(m: EntityManager, id: string): Promise<Client> {
  const q = m.createQueryBuilder(Client, 'c').where('c.id = :id', { id });
  if (m.connection.options.type === 'mysql') q.setLock('pessimistic_write');
  const row = await q.getOne();
  if (!row) throw noClient(id);
  return row;
}

/** Changes a client's redirect URIs and settings; its secret and grant types stay. */
export async function updateClient(
  db: Database,
  id: string,
  changes: ClientChanges,
  by = 'cli',
): Promise<ClientSummary> {
  return db.transaction(async (m) => {
    const row = await lockedClient(m, id);
    const meta = JSON.parse(row.metadata) as Record<string, unknown>;
    const grantTypes = (meta.grant_types as string[]) ?? [];
    const next: Record<string, unknown> = {
      ...meta,
      ...(changes.name !== undefined ? { client_name: changes.name } : {}),
      ...(changes.redirectUris !== undefined ? { redirect_uris: changes.redirectUris } : {}),
      ...(changes.postLogoutRedirectUris !== undefined
        ? { post_logout_redirect_uris: changes.postLogoutRedirectUris }
        : {}),
    };
    const flag = (key: string, value: boolean | undefined) => {
      if (value === true) next[key] = true;
      if (value === false) delete next[key];
    };
    flag('tenants_manage', changes.tenantsManage);
    flag('operator', changes.operator);
    if (changes.initiateLoginUri === null) delete next.initiate_login_uri;
    else if (changes.initiateLoginUri !== undefined) next.initiate_login_uri = changes.initiateLoginUri;
    assertSettings({
      grantTypes,
      isPublic: next.token_endpoint_auth_method === 'none',
      redirectUris: grantTypes.includes('authorization_code') ? ((next.redirect_uris as string[]) ?? []) : [],
      postLogoutRedirectUris: next.post_logout_redirect_uris as string[],
      initiateLoginUri: next.initiate_login_uri as string | undefined,
      tenantsManage: next.tenants_manage === true,
      operator: next.operator === true,
    });
    const firstParty = changes.firstParty ?? row.firstParty;
    await m.update(Client, { id }, { metadata: JSON.stringify(next), firstParty });
    await recordAudit(m, {
      type: 'client.updated',
      actor: by,
      subject: id,
      data: { fields: Object.keys(changes) },
    });
    return toSummary(Object.assign(row, { metadata: JSON.stringify(next), firstParty }));
  });
}

/**
 * Gives a confidential client a new secret (returned once); the old one stops at once, in every instance
 * within the adapter's client cache time.
 */
export async function rotateClientSecret(
  db: Database,
  id: string,
  by = 'cli',
): Promise<{ id: string; secret: string }> {
  return db.transaction(async (m) => {
    const row = await lockedClient(m, id);
    const meta = JSON.parse(row.metadata) as Record<string, unknown>;
    if (meta.token_endpoint_auth_method === 'none') throw new ClientError('a public client has no secret to rotate');
    const secret = randomBytes(32).toString('base64url');
    await m.update(Client, { id }, { metadata: JSON.stringify({ ...meta, client_secret: secret }) });
    await recordAudit(m, { type: 'client.secret_rotated', actor: by, subject: id });
    return { id, secret };
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

export interface ClientFlags {
  tenantsManage: boolean;
  operator: boolean;
  firstParty: boolean;
}

/** What the Management API needs to know of a client, read fresh at every request; undefined once deleted. */
export async function clientFlags(db: Database, id: string): Promise<ClientFlags | undefined> {
  const row = await db.read((m) => m.findOneBy(Client, { id }));
  if (!row) return undefined;
  const meta = JSON.parse(row.metadata) as { tenants_manage?: boolean; operator?: boolean };
  return { tenantsManage: meta.tenants_manage === true, operator: meta.operator === true, firstParty: row.firstParty };
}

/** False when there is no such client; a client Tessera keeps for itself (ensureClient) is refused (409). */
export async function deleteClient(db: Database, id: string, by = 'cli'): Promise<boolean> {
  return db.transaction(async (m) => {
    const row = await m.findOneBy(Client, { id });
    if (row && (JSON.parse(row.metadata) as { tessera_managed?: boolean }).tessera_managed)
      throw new Conflict(
        `Tessera uses the client "${id}" itself (its own pages, or the demo app) and makes it again at every start.`,
        'client_managed',
      );
    const result = await m.delete(Client, { id });
    if (!result.affected) return false;
    await recordAudit(m, { type: 'client.deleted', actor: by, subject: id });
    return true;
  });
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
    const found = await db.read((m) => m.findOneBy(Client, { id }));
    if (!found) await createClient(db, { ...wanted, id }, 'server');
    const row = found ?? (await db.read((m) => m.findOneByOrFail(Client, { id })));
    // Marked so that no operator deletes what Tessera's own pages (or the demo) sign in through.
    const metadata: Record<string, unknown> = {
      ...(JSON.parse(row.metadata) as Record<string, unknown>),
      tessera_managed: true,
      redirect_uris: wanted.redirectUris,
      post_logout_redirect_uris: wanted.postLogoutRedirectUris ?? [],
    };
    await db.write((m) => m.update(Client, { id }, { metadata: JSON.stringify(metadata) }));
    return { id, secret: metadata.client_secret as string | undefined };
  });
}

/** How a client proves itself at the token endpoint (`none` is for public clients only, set at creation). */
export const CLIENT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
];
export const ID_TOKEN_ALGS = ['ES256', 'RS256'];

/** Settings a registered client may change later; unset fields stay as they are, `null` removes one. */
export interface ClientSettings {
  defaultResource?: string | null;
  /** With client credentials the client acts in this tenant (an id), with these roles. */
  tenant?: { id: string; roles: string[] } | null;
  authMethod?: string;
  /** The client's public keys for private_key_jwt: a JWKS, or a URL serving one (never both). */
  jwks?: { keys: Record<string, unknown>[] } | null;
  jwksUri?: string | null;
  idTokenAlg?: string;
}

function applySettings(meta: Record<string, unknown>, s: ClientSettings): void {
  const set = (key: string, value: unknown) => {
    if (value === null) delete meta[key];
    else if (value !== undefined) meta[key] = value;
  };
  if (s.defaultResource) assertUrls('default resource', [s.defaultResource]);
  set('default_resource', s.defaultResource);
  if (s.tenant !== undefined) {
    set('tenant_id', s.tenant?.id ?? null);
    set('tenant_roles', s.tenant ? [...new Set(s.tenant.roles)] : null);
  }
  if (s.jwks) {
    if (!Array.isArray(s.jwks.keys) || s.jwks.keys.some((k) => 'd' in k))
      throw new ClientError('jwks: a JSON Web Key Set of public keys ({"keys": [...]}, no private parts)');
    meta.jwks = s.jwks;
    delete meta.jwks_uri;
  } else set('jwks', s.jwks);
  if (s.jwksUri) {
    assertUrls('JWKS URI', [s.jwksUri]);
    meta.jwks_uri = s.jwksUri;
    delete meta.jwks;
  } else set('jwks_uri', s.jwksUri);
  if (s.authMethod !== undefined) {
    if (!CLIENT_AUTH_METHODS.includes(s.authMethod))
      throw new ClientError(`auth method: one of ${CLIENT_AUTH_METHODS.join(', ')}`);
    if (meta.token_endpoint_auth_method === 'none') throw new ClientError('a public client has no way to authenticate');
    meta.token_endpoint_auth_method = s.authMethod;
  }
  if (meta.token_endpoint_auth_method === 'private_key_jwt' && !meta.jwks && !meta.jwks_uri)
    throw new ClientError("private_key_jwt needs the client's public keys: --jwks <file> or --jwks-uri <url>");
  if (s.idTokenAlg !== undefined) {
    if (!ID_TOKEN_ALGS.includes(s.idTokenAlg))
      throw new ClientError(`ID token algorithm: one of ${ID_TOKEN_ALGS.join(', ')}`);
    meta.id_token_signed_response_alg = s.idTokenAlg;
  }
}

/** Changes a registered client's settings; returns its metadata without the secret. */
export async function configureClient(
  db: Database,
  id: string,
  settings: ClientSettings,
): Promise<Record<string, unknown>> {
  return db.transaction(async (m) => {
    const row = await m.findOneBy(Client, { id });
    if (!row) throw new ClientError(`no client "${id}"`);
    const meta = JSON.parse(row.metadata) as Record<string, unknown>;
    applySettings(meta, settings);
    if (meta.tenant_id && !(meta.grant_types as string[]).includes('client_credentials'))
      throw new ClientError('a tenant applies to client credentials: the client needs the client_credentials grant');
    await m.update(Client, { id }, { metadata: JSON.stringify(meta) });
    const { client_secret: _secret, ...shown } = meta;
    return shown;
  });
}
