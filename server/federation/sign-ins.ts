// Signing in through a connection, and the linking rules. The upstream round trip is kept in
// `upstream_sign_ins` (state hashed, nonce, PKCE verifier; single use, short-lived, tied to the interaction);
// what the upstream proved waits there too while the person decides about an existing account, so a
// pending identity never becomes a half-made account. Nothing links silently: a verified e-mail of an
// existing account is offered for linking only after that account's owner signs in; an unverified one
// never links. Network calls happen outside transactions.
import { createHash, randomBytes } from 'node:crypto';
import { type EntityManager, IsNull, LessThan, MoreThan } from 'typeorm';
import { RegistrationClosed } from '../accounts/registration-gate.js';
import type { AccountService } from '../accounts/service.js';
import { recordAudit } from '../db/audit.js';
import type { Database } from '../db/database.js';
import { Connection, Identity, SamlAssertion, UpstreamSignIn } from '../db/entities/index.js';
import { AppError, Conflict, NotFound } from '../errors.js';
import type { SignedIn } from '../interaction/kit.js';
import { applySsoGrant } from '../tenants/grants.js';
import type { ConnectionService, LiveConnection } from './connections.js';
import { type Profile, profileOf, type VerifiedDomains } from './profile.js';
import { rolesFor, rolesOf } from './schemas.js';
import type { SamlServiceProvider, VerifiedAssertion } from './saml.js';
import type { UpstreamClient } from './upstream.js';

/** How long an upstream round trip, and then a decision about linking, may take. */
export const UPSTREAM_TTL_MS = 10 * 60_000;

/** Where the callback hands over: back into the sign-in, or (linking from the account page) to the account page. */
export type Handoff =
  | { purpose: 'sign_in' | 'reauth'; interactionUid: string }
  | { purpose: 'link'; accountId: string };

/**
 * What a SAML response leads to besides a Handoff: an IdP-initiated one signs nobody in (the browser goes
 * to `landing`); a link from the account page continues in a GET of the same browser (`samlLinkReturn`),
 * since the IdP's cross-site POST carries no session cookie (SameSite=Lax).
 */
export type SamlOutcome =
  | Handoff
  | { purpose: 'unsolicited'; landing: string }
  | { purpose: 'link_return'; id: string };

/** What finishing an upstream sign-in inside the interaction leads to. */
export type Completion =
  | { kind: 'signed_in'; signedIn: SignedIn }
  | { kind: 'link_offer'; error?: 'reauth_other_account' };

/** What the linking page shows: the address (proven by the upstream), and how the existing account signs in. */
export interface PendingLink {
  email: string;
  connectionName: string;
  password: boolean;
  connections: { slug: string; name: string }[];
}

/** A failed or cancelled upstream sign-in: nothing changed; the person may go back to the sign-in. */
export class UpstreamFailed extends AppError {
  constructor(
    readonly interactionUid: string | undefined,
    readonly connectionName: string | undefined,
  ) {
    super(400, 'upstream_sign_in_failed', 'The sign-in with the other provider did not complete.');
  }
}

/** A tenant's connection with just-in-time membership makes the person a member there, at every sign-in. */
async function grantMembership(m: EntityManager, connection: LiveConnection, accountId: string, profile: Profile) {
  const { membership, tenantId, slug } = connection;
  if (!membership || !tenantId) return;
  const roles = rolesFor(membership, profile.groups);
  await applySsoGrant(m, { tenantId, accountId, roles, managed: rolesOf(membership), idp: slug });
}

const hashOf = (state: string) => createHash('sha256').update(state).digest('hex');
const random = () => randomBytes(32).toString('base64url');
const expired = () => new NotFound('This sign-in has expired. Please start again.', 'upstream_sign_in_expired');

export class FederationService {
  constructor(
    private readonly db: Database,
    private readonly accounts: AccountService,
    private readonly connections: ConnectionService,
    private readonly upstream: UpstreamClient,
    private readonly verifiedDomains: VerifiedDomains,
    private readonly saml: SamlServiceProvider,
  ) {}

  /** Starts an upstream sign-in: the browser is sent to the returned URL. */
  async start(
    slug: string,
    purpose:
      | { kind: 'sign_in'; interactionUid: string }
      | { kind: 'reauth'; interactionUid: string }
      | { kind: 'link'; accountId: string },
    loginHint?: string,
  ): Promise<URL> {
    const connection = await this.connections.live(slug);
    if (!connection) throw new NotFound('There is no such way to sign in.', 'connection_not_found');
    const checks = { state: random(), nonce: random(), codeVerifier: random() };
    const url = await this.upstream.authorizationUrl(connection, checks, {
      reauthenticate: purpose.kind !== 'sign_in',
      loginHint,
    });
    const now = new Date();
    await this.db.transaction(async (m) => {
      let parentId: string | null = null;
      if (purpose.kind === 'reauth') parentId = (await this.pendingRow(m, purpose.interactionUid)).id;
      await m.insert(UpstreamSignIn, {
        id: hashOf(checks.state),
        connectionId: connection.id,
        purpose: purpose.kind,
        interactionUid: purpose.kind === 'link' ? null : purpose.interactionUid,
        accountId: purpose.kind === 'link' ? purpose.accountId : null,
        codeVerifier: checks.codeVerifier,
        nonce: checks.nonce,
        status: 'started',
        profile: null,
        linkAccountId: null,
        parentId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + UPSTREAM_TTL_MS),
      });
      // Old rounds trips go as new ones start: the table holds only what may still come back.
      await m.delete(UpstreamSignIn, { expiresAt: LessThan(now) });
    });
    return url;
  }

  /**
   * The upstream's answer: the state is spent at once (single use, whatever follows), the code exchanged
   * and the ID token checked; the profile then waits for the interaction's browser to pick it up.
   */
  async callback(slug: string, url: URL, browserAccount: () => Promise<string | undefined>): Promise<Handoff> {
    const state = url.searchParams.get('state');
    const row = state ? await this.db.read((m) => m.findOneBy(UpstreamSignIn, { id: hashOf(state) })) : null;
    const connection = row ? await this.connections.liveById(row.connectionId) : undefined;
    if (!row || !state || !connection || connection.slug !== slug || connection.kind === 'saml')
      throw new UpstreamFailed(undefined, undefined);
    const failed = new UpstreamFailed(row.interactionUid ?? undefined, connection.name);
    const spent = await this.db.write((m) =>
      m.update(
        UpstreamSignIn,
        { id: row.id, status: 'started', expiresAt: MoreThan(new Date()) },
        { status: 'failed' },
      ),
    );
    if (spent.affected !== 1) throw failed;
    let profile: Profile | undefined;
    try {
      const claims = await this.upstream.claims(connection, url, {
        state,
        nonce: row.nonce,
        codeVerifier: row.codeVerifier,
      });
      profile = await profileOf(connection, claims, this.verifiedDomains);
    } catch {
      // Cancelled, refused, a bad ID token or an unreachable upstream: the reason stays upstream's, never logged.
      throw failed;
    }
    return this.handOff(row, connection, profile, browserAccount, failed);
  }

  /**
   * A SAML response posted to the ACS. Verified first (signature, issuer, audience, Destination,
   * Recipient, times); then, in one transaction, its AuthnRequest (InResponseTo) is spent and its
   * assertion ID recorded, so neither a replay nor a second answer to the same request signs in. An
   * IdP-initiated response (no InResponseTo) signs nobody in: it lands on a page that starts a sign-in
   * (see SamlServiceProvider.landing), which then goes through the IdP as an SP-initiated one.
   */
  async samlResponse(
    slug: string,
    form: { SAMLResponse?: unknown; RelayState?: unknown },
    browserAccount: () => Promise<string | undefined>,
  ): Promise<SamlOutcome> {
    const connection = await this.connections.live(slug);
    if (connection?.kind !== 'saml' || typeof form.SAMLResponse !== 'string')
      throw new UpstreamFailed(undefined, connection?.name);
    let verified: VerifiedAssertion;
    try {
      verified = await this.saml.verify(connection, form.SAMLResponse);
    } catch {
      // The reason stays ours: the response is never logged.
      throw new UpstreamFailed(undefined, connection.name);
    }
    const state = verified.inResponseTo?.startsWith('_') ? verified.inResponseTo.slice(1) : undefined;
    const row =
      verified.inResponseTo === null
        ? undefined
        : state
          ? await this.db.read((m) => m.findOneBy(UpstreamSignIn, { id: hashOf(state), connectionId: connection.id }))
          : null;
    const failed = new UpstreamFailed(row?.interactionUid ?? undefined, connection.name);
    if (row === null) throw failed;
    await this.db.transaction(async (m) => {
      if (row) {
        const spent = await m.update(
          UpstreamSignIn,
          { id: row.id, status: 'started', expiresAt: MoreThan(new Date()) },
          { status: 'failed' },
        );
        if (spent.affected !== 1) throw failed;
      }
      await m.delete(SamlAssertion, { expiresAt: LessThan(new Date()) });
      const id = hashOf(`${connection.id}\n${verified.assertionId}`);
      // The primary key refuses an assertion ID seen before (a replay), also from a concurrent request.
      await m.insert(SamlAssertion, { id, expiresAt: verified.expiresAt }).catch(() => {
        throw failed;
      });
    });
    if (!row) return { purpose: 'unsolicited', landing: this.saml.landing(connection, form.RelayState) };
    const profile = await profileOf(connection, verified.claims, this.verifiedDomains);
    if (row.purpose !== 'link') return this.handOff(row, connection, profile, browserAccount, failed);
    if (!profile) throw failed;
    await this.db.write((m) =>
      m.update(
        UpstreamSignIn,
        { id: row.id, status: 'failed' },
        { status: 'returned', profile: JSON.stringify(profile) },
      ),
    );
    return { purpose: 'link_return', id: row.id };
  }

  /** A SAML link from the account page, continued in the browser signed in to the account that started it. */
  async samlLinkReturn(slug: string, id: string, browserAccount: () => Promise<string | undefined>): Promise<Handoff> {
    const row = await this.db.read((m) =>
      m.findOneBy(UpstreamSignIn, { id, purpose: 'link', status: 'returned', expiresAt: MoreThan(new Date()) }),
    );
    const connection = row ? await this.connections.liveById(row.connectionId) : undefined;
    if (!row?.accountId || connection?.slug !== slug) throw new UpstreamFailed(undefined, undefined);
    if ((await browserAccount()) !== row.accountId) throw new UpstreamFailed(undefined, connection.name);
    await this.db.write((m) => this.spend(m, row.id, 'returned', 'done'));
    await this.linkToAccount(connection, row.accountId, JSON.parse(row.profile!) as Profile);
    return { purpose: 'link', accountId: row.accountId };
  }

  /** What an upstream proved goes to the account page's link, or waits for the interaction's browser. */
  private async handOff(
    row: UpstreamSignIn,
    connection: LiveConnection,
    profile: Profile | undefined,
    browserAccount: () => Promise<string | undefined>,
    failed: UpstreamFailed,
  ): Promise<Handoff> {
    if (!profile) throw failed;
    if (row.purpose === 'link') {
      // Linking from the account page: only in the browser still signed in to the account that started it.
      if ((await browserAccount()) !== row.accountId) throw failed;
      await this.linkToAccount(connection, row.accountId, profile);
      return { purpose: 'link', accountId: row.accountId };
    }
    await this.db.write((m) =>
      m.update(
        UpstreamSignIn,
        { id: row.id, status: 'failed' },
        { status: 'returned', profile: JSON.stringify(profile) },
      ),
    );
    return { purpose: row.purpose, interactionUid: row.interactionUid! };
  }

  /** Links a proven identity to the signed-in account that asked for it from the account page. */
  private async linkToAccount(connection: LiveConnection, accountId: string, profile: Profile): Promise<void> {
    await this.db.transaction(async (m) => {
      const holder = await m.findOneBy(Identity, { connectionId: connection.id, subject: profile.subject });
      if (holder && holder.accountId !== accountId)
        throw new Conflict(
          'That sign-in already belongs to another account: unlink it there (or delete that account) first.',
          'identity_in_use',
        );
      if (!holder) await this.insertIdentity(m, connection.id, accountId, profile);
      await recordAudit(m, {
        type: 'identity.linked',
        actor: accountId,
        subject: accountId,
        data: { idp: connection.slug },
      });
    });
  }

  /**
   * Picks up what the callback proved, in the interaction's own browser (its cookie names the interaction):
   * signs in, creates an account, offers to link, or finishes a re-authentication for a pending link.
   */
  async complete(interactionUid: string, signUp: SignUpRule = {}): Promise<Completion> {
    const row = await this.db.read((m) =>
      m.findOne(UpstreamSignIn, {
        where: { interactionUid, status: 'returned', expiresAt: MoreThan(new Date()) },
        order: { createdAt: 'DESC' },
      }),
    );
    const connection = row ? await this.connections.liveById(row.connectionId) : undefined;
    if (!row || !connection) throw expired();
    const profile = JSON.parse(row.profile!) as Profile;
    if (row.purpose === 'reauth') return this.finishReauth(row, connection, profile);
    return this.db.transaction(async (m) => {
      await this.spend(m, row.id, 'returned', 'done');
      const identity = await m.findOneBy(Identity, { connectionId: connection.id, subject: profile.subject });
      if (identity) {
        await m.update(
          Identity,
          { id: identity.id },
          { lastUsedAt: new Date(), email: profile.email ?? null, emailVerified: profile.emailVerified },
        );
        await grantMembership(m, connection, identity.accountId, profile);
        return this.signedIn(identity.accountId, connection);
      }
      // A verified e-mail that an account already holds: ask, never merge. An unverified one is never looked up.
      const holder =
        profile.emailVerified && profile.email ? await this.accounts.findVerifiedHolder(profile.email) : undefined;
      if (holder) {
        await m.update(
          UpstreamSignIn,
          { id: row.id },
          { status: 'pending_link', linkAccountId: holder.id, expiresAt: new Date(Date.now() + UPSTREAM_TTL_MS) },
        );
        return { kind: 'link_offer' };
      }
      return { kind: 'signed_in', signedIn: await this.createAccount(connection, profile, signUp) };
    });
  }

  /** What the linking page shows for the interaction's pending identity. */
  async pendingLink(interactionUid: string): Promise<PendingLink> {
    return this.db.read(async (m) => {
      const row = await this.pendingRow(m, interactionUid);
      const connection = await m.findOneByOrFail(Connection, { id: row.connectionId });
      const profile = JSON.parse(row.profile!) as Profile;
      return {
        email: profile.email!,
        connectionName: connection.name,
        password: await this.accounts.hasPassword(row.linkAccountId!),
        connections: await this.connectionsOf(m, row.linkAccountId!),
      };
    });
  }

  /** Re-authentication with the existing account's password, then the pending identity is linked to it. */
  async linkWithPassword(interactionUid: string, password: string): Promise<SignedIn | undefined> {
    const row = await this.db.read((m) => this.pendingRow(m, interactionUid));
    if (!(await this.accounts.checkPassword(row.linkAccountId!, password))) return undefined;
    return this.linkPending(row, ['fed', 'pwd']);
  }

  /** The person keeps a separate account: one is created from the pending identity (e-mails are not unique). */
  async keepSeparate(interactionUid: string, signUp: SignUpRule = {}): Promise<SignedIn> {
    const row = await this.db.read((m) => this.pendingRow(m, interactionUid));
    const connection = await this.connections.liveById(row.connectionId);
    if (!connection) throw expired();
    refuseClosedSignUp(connection, signUp);
    await this.db.write((m) => this.spend(m, row.id, 'pending_link', 'done'));
    return this.createAccount(connection, JSON.parse(row.profile!) as Profile, signUp);
  }

  /** The account's linked identities, for the account page. */
  async identitiesOf(accountId: string) {
    return this.db.read(async (m) => {
      const identities = await m.find(Identity, { where: { accountId }, order: { createdAt: 'ASC' } });
      const connections = identities.length
        ? await m.findBy(
            Connection,
            identities.map((i) => ({ id: i.connectionId })),
          )
        : [];
      const byId = new Map(connections.map((c) => [c.id, c]));
      return identities.map((i) => ({
        id: i.id,
        connection: byId.get(i.connectionId)?.name ?? '',
        slug: byId.get(i.connectionId)?.slug ?? '',
        email: i.email,
        createdAt: i.createdAt,
        lastUsedAt: i.lastUsedAt,
      }));
    });
  }

  /** Names of the connections an account signs in through (for the mail to an address it holds). */
  async signInMethodsOf(accountId: string): Promise<string[]> {
    return this.db.read(async (m) => (await this.connectionsOf(m, accountId)).map((c) => c.name));
  }

  /** Unlinks one identity while another way to sign in remains (a password, a passkey or another identity). */
  async unlink(accountId: string, identityId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const identity = await m.findOneBy(Identity, { id: identityId, accountId });
      if (!identity) throw new NotFound('This sign-in method is not linked to your account.', 'identity_not_found');
      const others = (await m.countBy(Identity, { accountId })) - 1;
      if (others === 0 && !(await this.accounts.hasOwnSignIn(accountId)))
        throw new Conflict('This is your only way to sign in: add another before removing it.', 'last_sign_in_method');
      await m.delete(Identity, { id: identity.id });
      await recordAudit(m, { type: 'identity.unlinked', actor: accountId, subject: accountId });
    });
  }

  /** Deletes an account's identities, inside the account deletion's transaction. */
  async forgetIdentities(m: EntityManager, accountId: string): Promise<void> {
    await m.delete(Identity, { accountId });
  }

  private async finishReauth(row: UpstreamSignIn, connection: LiveConnection, profile: Profile): Promise<Completion> {
    const parent = await this.db.read((m) =>
      m.findOneBy(UpstreamSignIn, { id: row.parentId ?? '', status: 'pending_link', expiresAt: MoreThan(new Date()) }),
    );
    await this.db.write((m) => this.spend(m, row.id, 'returned', 'done'));
    if (!parent) throw expired();
    const proof = await this.db.read((m) =>
      m.findOneBy(Identity, { connectionId: connection.id, subject: profile.subject }),
    );
    if (proof?.accountId !== parent.linkAccountId) return { kind: 'link_offer', error: 'reauth_other_account' };
    return { kind: 'signed_in', signedIn: await this.linkPending(parent, ['fed']) };
  }

  /** Links the pending identity to the account its owner just proved, and signs in as that account. */
  private async linkPending(row: UpstreamSignIn, amr: SignedIn['amr']): Promise<SignedIn> {
    const connection = await this.connections.liveById(row.connectionId);
    if (!connection) throw expired();
    const profile = JSON.parse(row.profile!) as Profile;
    const accountId = row.linkAccountId!;
    await this.db.transaction(async (m) => {
      await this.spend(m, row.id, 'pending_link', 'done');
      await this.insertIdentity(m, connection.id, accountId, profile);
      await grantMembership(m, connection, accountId, profile);
      await recordAudit(m, {
        type: 'identity.linked',
        actor: accountId,
        subject: accountId,
        data: { idp: connection.slug },
      });
    });
    return { accountId, amr, idp: connection.slug };
  }

  private async createAccount(connection: LiveConnection, profile: Profile, signUp: SignUpRule): Promise<SignedIn> {
    refuseClosedSignUp(connection, signUp);
    const account = await this.accounts.createFromUpstream(
      {
        email: profile.email,
        emailVerified: profile.emailVerified,
        // Shown to tenant admins and on pages: a name the upstream gave, else the connection's.
        name: profile.name ?? (profile.email ? undefined : `${connection.name} user`),
        phone: profile.phone,
      },
      async (m, accountId) => {
        await this.insertIdentity(m, connection.id, accountId, profile);
        await grantMembership(m, connection, accountId, profile);
      },
    );
    return { accountId: account.id, amr: ['fed'], idp: connection.slug };
  }

  private async signedIn(accountId: string, connection: LiveConnection): Promise<Completion> {
    const account = await this.accounts.findById(accountId);
    if (!account || account.disabledAt) throw new AppError(403, 'account_disabled', 'This account is disabled.');
    return { kind: 'signed_in', signedIn: { accountId, amr: ['fed'], idp: connection.slug } };
  }

  private async insertIdentity(m: EntityManager, connectionId: string, accountId: string, profile: Profile) {
    const now = new Date();
    await m.insert(Identity, {
      id: crypto.randomUUID(),
      connectionId,
      subject: profile.subject,
      accountId,
      email: profile.email ?? null,
      emailVerified: profile.emailVerified,
      createdAt: now,
      lastUsedAt: now,
    });
  }

  /** Moves a row from one status to the next exactly once (a second tab, a replay: 404). */
  private async spend(m: EntityManager, id: string, from: UpstreamSignIn['status'], to: UpstreamSignIn['status']) {
    const moved = await m.update(UpstreamSignIn, { id, status: from, expiresAt: MoreThan(new Date()) }, { status: to });
    if (moved.affected !== 1) throw expired();
  }

  private async pendingRow(m: EntityManager, interactionUid: string): Promise<UpstreamSignIn> {
    const row = await m.findOne(UpstreamSignIn, {
      where: { interactionUid, status: 'pending_link', expiresAt: MoreThan(new Date()), parentId: IsNull() },
      order: { createdAt: 'DESC' },
    });
    if (!row) throw expired();
    return row;
  }

  private async connectionsOf(m: EntityManager, accountId: string): Promise<{ slug: string; name: string }[]> {
    const identities = await m.findBy(Identity, { accountId });
    if (!identities.length) return [];
    const rows = await m.findBy(
      Connection,
      identities.map((i) => ({ id: i.connectionId, disabledAt: IsNull() })),
    );
    return rows.map((c) => ({ slug: c.slug, name: c.name }));
  }
}

/** Whether the sign-in may create an account (REGISTRATION, asked of the interaction by the caller). */
export interface SignUpRule {
  /** False: a global connection may sign existing accounts in, not create one (default true). */
  mayCreateAccount?: boolean;
}

/**
 * A first sign-in through a global connection creates an account, so invitation-only registration applies
 * to it. A tenant's own connection creates accounts for that tenant's people (JIT): the tenant's decision.
 */
function refuseClosedSignUp(connection: LiveConnection, signUp: SignUpRule): void {
  if (connection.tenantId === null && signUp.mayCreateAccount === false) throw new RegistrationClosed();
}
