// Connections to upstream identity providers: global ones (the operator's, through the CLI) and a tenant's
// own (its admins', through the Management API and the admin page). The client secret is sealed at rest
// and never shown back; a connection in use is disabled rather than deleted.
import { type EntityManager, In, IsNull } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import type { Database } from '../db/database.js';
import { Connection, Identity } from '../db/entities/index.js';
import { BadRequest, Conflict, NotFound } from '../errors.js';
import { accessTo, actorOf, type Caller, requireAdmin } from '../tenants/access.js';
import { assertRolesExist } from '../tenants/service.js';
import {
  ClaimMapping,
  ConnectionSettings,
  type ConnectionView,
  type CreateConnection,
  Membership,
  rolesOf,
  type SamlInput,
  type SamlSettings,
  type UpdateConnection,
} from './schemas.js';
import type { SecretBox } from '../keys/sealing.js';
import { fetchIdpMetadata, type IdpMetadata, parseIdpMetadata } from './saml-metadata.js';
import { SamlServiceProvider } from './saml.js';

/** A usable connection as the sign-in needs it: settings and claim mapping parsed, the secret opened on demand. */
export interface LiveConnection {
  id: string;
  slug: string;
  name: string;
  kind: Connection['kind'];
  tenantId: string | null;
  trustedForEmail: boolean;
  settings: ConnectionSettings;
  claims: ClaimMapping;
  /** Just-in-time membership of the connection's tenant, if it grants one. */
  membership: Membership | null;
  secret(): string | undefined;
  /** Changes when the connection does (cached discovery is keyed by it). */
  version: string;
}

/** Who manages a connection: the operator (global ones, CLI) or a caller of a tenant's. */
/** An operator (`actor` for the audit trail: an account id, `client:<id>`, or `cli`) or a tenant's admin. */
export type Owner = { kind: 'operator'; actor?: string } | { kind: 'tenant'; caller: Caller; tenantId: string };

const DEFAULT_SCOPES = { oidc: ['openid', 'email', 'profile'], oauth2: [] as string[], saml: [] as string[] };
/** A SAML subject is the NameID unless the mapping says otherwise. */
const DEFAULT_CLAIMS = { oidc: {}, oauth2: {}, saml: { subject: 'nameID' } };
const notFound = () => new NotFound('There is no such connection.', 'connection_not_found');

export class ConnectionService {
  private readonly sp: SamlServiceProvider;

  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly issuer: string,
    /** `allowHttp`: SAML metadata may be read over http (development and tests only). */
    private readonly options: { allowHttp?: boolean } = {},
  ) {
    this.sp = new SamlServiceProvider(issuer);
  }

  redirectUri(slug: string): string {
    return `${this.issuer}/connections/${slug}/callback`;
  }

  async create(owner: Owner, input: CreateConnection & { trusted_for_email?: boolean }): Promise<ConnectionView> {
    // The IdP's metadata is read before the transaction (a network call).
    const saml = input.kind === 'saml' ? samlSettingsOf(await this.importMetadata(input.saml), input.saml) : undefined;
    return this.db.transaction(async (m) => {
      const tenantId = await this.ownedTenant(m, owner);
      const now = new Date();
      const id = crypto.randomUUID();
      const row = Object.assign(new Connection(), {
        id,
        slug: input.slug,
        tenantId,
        kind: input.kind,
        name: input.name,
        settings: JSON.stringify(
          settingsOf(
            { ...input, client_id: input.client_id ?? this.sp.metadataUrl(input.slug), saml },
            DEFAULT_SCOPES[input.kind],
          ),
        ),
        secret: input.client_secret ? this.box.seal(input.client_secret, id) : null,
        claimMapping: JSON.stringify(ClaimMapping.parse({ ...DEFAULT_CLAIMS[input.kind], ...input.claims })),
        membership: await membershipOf(m, tenantId, input.membership),
        // Only the operator vouches for a global connection's e-mails; a tenant's is trusted for its verified domains.
        trustedForEmail: tenantId === null && input.trusted_for_email === true,
        createdAt: now,
        updatedAt: now,
        disabledAt: null,
      });
      await m.insert(Connection, row);
      await recordAudit(m, { type: 'connection.created', actor: actorOfOwner(owner), tenantId, subject: row.id });
      return this.view(row);
    });
  }

  async list(owner: Owner): Promise<ConnectionView[]> {
    return this.db.read(async (m) => {
      const tenantId = await this.ownedTenant(m, owner);
      const rows = await m.find(Connection, {
        where: { tenantId: tenantId ?? IsNull() },
        order: { createdAt: 'ASC', id: 'ASC' },
      });
      return rows.map((r) => this.view(r));
    });
  }

  async get(owner: Owner, id: string): Promise<ConnectionView> {
    return this.db.read(async (m) => this.view(await this.owned(m, owner, id)));
  }

  async update(
    owner: Owner,
    id: string,
    patch: UpdateConnection & { trusted_for_email?: boolean },
  ): Promise<ConnectionView> {
    const imported = patch.saml ? await this.importMetadata(patch.saml) : undefined;
    return this.db.transaction(async (m) => {
      const row = await this.owned(m, owner, id);
      const stored = ConnectionSettings.parse(JSON.parse(row.settings));
      if (patch.saml && row.kind !== 'saml')
        throw new BadRequest('Only a SAML connection has SAML settings.', 'not_a_saml_connection');
      const merged = {
        issuer: patch.issuer ?? stored.issuer,
        authorization_endpoint: patch.authorization_endpoint ?? stored.authorizationEndpoint,
        token_endpoint: patch.token_endpoint ?? stored.tokenEndpoint,
        userinfo_endpoint: patch.userinfo_endpoint ?? stored.userinfoEndpoint,
        client_id: patch.client_id ?? stored.clientId,
        scopes: patch.scopes,
        saml: stored.saml && samlSettingsOf(imported, patch.saml, stored.saml),
      };
      Object.assign(row, {
        name: patch.name ?? row.name,
        settings: JSON.stringify(settingsOf(merged, stored.scopes)),
        secret: patch.client_secret ? this.box.seal(patch.client_secret, row.id) : row.secret,
        claimMapping: JSON.stringify(ClaimMapping.parse({ ...JSON.parse(row.claimMapping), ...(patch.claims ?? {}) })),
        membership:
          patch.membership === undefined ? row.membership : await membershipOf(m, row.tenantId, patch.membership),
        trustedForEmail:
          row.tenantId === null && patch.trusted_for_email !== undefined
            ? patch.trusted_for_email
            : row.trustedForEmail,
        disabledAt:
          patch.disabled === undefined ? row.disabledAt : patch.disabled ? (row.disabledAt ?? new Date()) : null,
        updatedAt: new Date(),
      });
      await m.save(Connection, row);
      await recordAudit(m, {
        type: 'connection.updated',
        actor: actorOfOwner(owner),
        tenantId: row.tenantId,
        subject: row.id,
      });
      return this.view(row);
    });
  }

  /** Deletes a connection nobody signs in through; one in use is refused (409): disable it instead. */
  async remove(owner: Owner, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const row = await this.owned(m, owner, id);
      if (await m.existsBy(Identity, { connectionId: row.id }))
        throw new Conflict('People sign in through this connection: disable it instead.', 'connection_in_use');
      await m.delete(Connection, { id: row.id });
      await recordAudit(m, {
        type: 'connection.deleted',
        actor: actorOfOwner(owner),
        tenantId: row.tenantId,
        subject: row.id,
      });
    });
  }

  /** Metadata given by URL or XML; undefined when neither is. */
  private async importMetadata(input: SamlInput | undefined): Promise<IdpMetadata | undefined> {
    if (input?.metadata_xml) return parseIdpMetadata(input.metadata_xml);
    if (input?.metadata_url) return fetchIdpMetadata(input.metadata_url, this.options.allowHttp === true);
    return undefined;
  }

  /** An enabled connection by slug, for signing in through it; undefined when there is none. */
  async live(slug: string): Promise<LiveConnection | undefined> {
    const row = await this.db.read((m) => m.findOneBy(Connection, { slug, disabledAt: IsNull() }));
    return row ? this.liveOf(row) : undefined;
  }

  /** A connection's name by slug (disabled ones too): how the account page names a past sign-in through it. */
  async nameOf(slug: string): Promise<string | undefined> {
    return (await this.db.read((m) => m.findOne(Connection, { where: { slug }, select: { name: true } })))?.name;
  }

  async liveById(id: string): Promise<LiveConnection | undefined> {
    const row = await this.db.read((m) => m.findOneBy(Connection, { id, disabledAt: IsNull() }));
    return row ? this.liveOf(row) : undefined;
  }

  /** The connections offered on a sign-in page: every enabled global one, and those of the tenants named. */
  async offered(tenantIds: string[]): Promise<{ slug: string; name: string; tenantId: string | null }[]> {
    const rows = await this.db.read((m) =>
      m.find(Connection, {
        where: [
          { tenantId: IsNull(), disabledAt: IsNull() },
          ...(tenantIds.length ? [{ tenantId: In(tenantIds), disabledAt: IsNull() }] : []),
        ],
        order: { name: 'ASC' },
      }),
    );
    return rows.map((r) => ({ slug: r.slug, name: r.name, tenantId: r.tenantId }));
  }

  private liveOf(row: Connection): LiveConnection {
    return {
      id: row.id,
      slug: row.slug,
      name: row.name,
      kind: row.kind,
      tenantId: row.tenantId,
      trustedForEmail: row.trustedForEmail,
      settings: ConnectionSettings.parse(JSON.parse(row.settings)),
      claims: ClaimMapping.parse(JSON.parse(row.claimMapping)),
      membership: parsedMembership(row),
      secret: () => (row.secret ? this.box.open(row.secret, row.id) : undefined),
      version: `${row.id}:${row.updatedAt.getTime()}`,
    };
  }

  /** The tenant a tenant owner may manage (null for the operator); 404/403 as the tenant rules say. */
  private async ownedTenant(m: EntityManager, owner: Owner): Promise<string | null> {
    if (owner.kind === 'operator') return null;
    requireAdmin(await accessTo(m, owner.caller, owner.tenantId));
    return owner.tenantId;
  }

  private async owned(m: EntityManager, owner: Owner, id: string): Promise<Connection> {
    const tenantId = await this.ownedTenant(m, owner);
    const row = await m.findOneBy(Connection, { id, tenantId: tenantId ?? IsNull() });
    if (!row) throw notFound();
    return row;
  }

  /** Finds a global connection by slug or id (the CLI names them either way). */
  async globalId(slugOrId: string): Promise<string> {
    const row = await this.db.read((m) =>
      m.findOne(Connection, {
        where: [
          { slug: slugOrId, tenantId: IsNull() },
          { id: slugOrId, tenantId: IsNull() },
        ],
      }),
    );
    if (!row) throw notFound();
    return row.id;
  }

  private view(row: Connection): ConnectionView {
    const settings = ConnectionSettings.parse(JSON.parse(row.settings));
    return {
      id: row.id,
      slug: row.slug,
      tenant_id: row.tenantId,
      kind: row.kind,
      name: row.name,
      issuer: settings.issuer ?? null,
      authorization_endpoint: settings.authorizationEndpoint ?? null,
      token_endpoint: settings.tokenEndpoint ?? null,
      userinfo_endpoint: settings.userinfoEndpoint ?? null,
      client_id: settings.clientId,
      has_secret: row.secret !== null,
      scopes: settings.scopes,
      claims: ClaimMapping.parse(JSON.parse(row.claimMapping)),
      membership: parsedMembership(row),
      trusted_for_email: row.trustedForEmail,
      disabled: row.disabledAt !== null,
      redirect_uri: row.kind === 'saml' ? this.sp.acsUrl(row.slug) : this.redirectUri(row.slug),
      saml: settings.saml
        ? {
            sp_entity_id: settings.clientId,
            acs_url: this.sp.acsUrl(row.slug),
            sp_metadata_url: this.sp.metadataUrl(row.slug),
            idp_entity_id: settings.saml.entityId,
            idp_sso_url: settings.saml.ssoUrl,
            idp_certificates: settings.saml.certificates.length,
            idp_metadata_url: settings.saml.metadataUrl,
            idp_initiated_url: settings.saml.idpInitiatedUrl,
          }
        : null,
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    };
  }
}

function settingsOf(
  input: {
    issuer?: string;
    authorization_endpoint?: string;
    token_endpoint?: string;
    userinfo_endpoint?: string;
    client_id: string;
    scopes?: string[];
    saml?: SamlSettings;
  },
  fallbackScopes: string[],
): ConnectionSettings {
  return ConnectionSettings.parse({
    saml: input.saml,
    issuer: input.issuer,
    authorizationEndpoint: input.authorization_endpoint,
    tokenEndpoint: input.token_endpoint,
    userinfoEndpoint: input.userinfo_endpoint,
    clientId: input.client_id,
    scopes: input.scopes ?? fallbackScopes,
  });
}

/** The stored SAML settings: freshly imported metadata (else the stored), and the landing of IdP-initiated sign-ins. */
function samlSettingsOf(
  imported: IdpMetadata | undefined,
  input: SamlInput | undefined,
  stored?: SamlSettings,
): SamlSettings {
  const metadata = imported ?? stored!;
  return {
    entityId: metadata.entityId,
    ssoUrl: metadata.ssoUrl,
    certificates: metadata.certificates,
    metadataUrl: imported ? (input?.metadata_url ?? null) : (stored?.metadataUrl ?? null),
    idpInitiatedUrl:
      input?.idp_initiated_url === undefined ? (stored?.idpInitiatedUrl ?? null) : input.idp_initiated_url,
  };
}

const parsedMembership = (row: Connection) => (row.membership ? Membership.parse(JSON.parse(row.membership)) : null);

/** The stored just-in-time membership: a tenant's connection only, and only roles of its catalogue. */
async function membershipOf(
  m: EntityManager,
  tenantId: string | null,
  membership: Membership | null | undefined,
): Promise<string | null> {
  if (!membership) return null;
  if (tenantId === null)
    throw new BadRequest("Only a tenant's connection grants membership (of that tenant).", 'membership_needs_tenant');
  await assertRolesExist(m, tenantId, rolesOf(membership));
  return JSON.stringify(membership);
}

const actorOfOwner = (owner: Owner) => (owner.kind === 'operator' ? (owner.actor ?? 'cli') : actorOf(owner.caller));
