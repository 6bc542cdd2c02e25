// Redeeming invitations: open (verify token, read the row), accept, decline, and the pending
// invitations of an account. Membership is granted to the signed-in subject, never matched by e-mail.
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { displayNamesOf, mailContactOf, verifiedAddressesOf } from '../accounts/profiles.js';
import { recordAudit } from '../db/audit.js';
import type { Database } from '../db/database.js';
import { runStatement } from '../db/statement.js';
import { isUniqueViolation } from '../db/errors.js';
import { Invitation, InvitationRedemption, Membership, Tenant } from '../db/entities/index.js';
import { enqueueMessage } from '../delivery/outbox.js';
import type { KeySet } from '../keys/keys.js';
import {
  type GrantOutcome,
  grantMembership,
  liveTenantLacking,
  liveTenantOf,
  planGrant,
  type TenantRef,
  tenantsOf,
} from '../tenants/grants.js';
import { accessEndOf } from './access-end.js';
import type { InvitationMail } from './mail.js';
import { type FindClient, hashHandle } from './service.js';
import { inviterNameOf, inviterNamesOf, rolesOf, statusOf, whereStatus } from './status.js';
import { InvitationTokenError, tokenForRow, verifyInvitationToken } from './token.js';

export type Problem =
  | 'malformed'
  | 'invalid'
  | 'expired'
  | 'replaced'
  | 'revoked'
  | 'declined'
  | 'used_up'
  | 'tenant_gone'
  | 'wrong_account'
  | 'roles_gone'
  | 'not_found';

/** Why an invitation cannot be used; each has its own page, and none changes anything. */
export class InvitationRefused extends Error {
  constructor(
    readonly problem: Problem,
    readonly invitationId?: string,
  ) {
    super(`invitation refused: ${problem}`);
  }
}

export interface InvitationDetails {
  id: string;
  tenantId: string;
  tenantName: string;
  roles: string[];
  inviterName: string;
  /** The bound e-mail, if any. */
  email: string | null;
  /** The bound phone (E.164), if any. */
  phone: string | null;
  expiresAt: Date;
  /** When the access it gives would end if accepted now; null: it does not end. */
  accessEndsAt: Date | null;
}

export type Outcome = GrantOutcome;

/**
 * Counts a use only while one remains and the token is the current one of an open invitation: the row count
 * decides. An invitation awaiting approval has no token out yet; this refuses one all the same.
 */
const COUNT_USE =
  "UPDATE invitations SET use_count = use_count + 1 WHERE id = :id AND token_jti = :jti AND use_count < max_uses AND revoked_at IS NULL AND ended_at IS NULL AND expires_at > :now AND COALESCE(approval, '') <> 'awaiting'";

/** How many waiting invitations the review page lists at once. */
export const REVIEW_PAGE_SIZE = 20;

export interface PendingPage {
  items: InvitationDetails[];
  /** More invitations wait beyond these. */
  more: boolean;
}

export interface Decided {
  outcome: Outcome | 'declined';
  invitation: InvitationDetails;
}

export class RedemptionService {
  constructor(
    private readonly db: Database,
    private readonly keys: KeySet,
    private readonly issuer: string,
    private readonly mail: InvitationMail,
    private readonly findClient: FindClient,
  ) {}

  /**
   * Verifies a token and its row; the details of a usable invitation, or InvitationRefused. Changes nothing.
   * With `accountId`, also refuses an account that a bound invitation is not for.
   */
  async open(token: string, accountId?: string): Promise<InvitationDetails> {
    return this.db.read(async (m) => {
      const invitation = await this.fromToken(m, token);
      const { tenant, rolesGone } = await this.liveTenantAndRoles(m, invitation);
      if (rolesGone) throw new InvitationRefused('roles_gone', invitation.id);
      if (accountId) await this.assertBindingAllows(m, invitation, accountId);
      return this.details(m, invitation, tenant);
    });
  }

  /** The short link of an SMS: the handle proves possession, so it gets the current token of its invitation. */
  async tokenForHandle(handle: string): Promise<string> {
    const invitation = /^[\w-]{16,64}$/.test(handle)
      ? await this.db.read((m) => m.findOneBy(Invitation, { handleHash: hashHandle(handle) }))
      : null;
    if (!invitation) throw new InvitationRefused('invalid');
    return tokenForRow(this.keys, this.issuer, invitation);
  }

  /** Whether the account already has every role the invitation grants (then accepting counts no use). */
  async isAlreadyMember(invitationId: string, accountId: string): Promise<boolean> {
    return this.db.read(async (m) => {
      const invitation = await m.findOneByOrFail(Invitation, { id: invitationId });
      return (await this.planGrant(m, invitation, accountId)).outcome === 'already_member';
    });
  }

  /** Accepts with a token (either entry way); `byId` is for the review of invitations bound to the account's e-mail. */
  async accept(ref: { token: string } | { id: string }, accountId: string): Promise<Decided> {
    try {
      return await this.db.transaction((m) => this.acceptIn(m, ref, accountId));
    } catch (error) {
      // Two accepts by one account at once: the membership's unique key let one through and rolled the other back.
      if (isUniqueViolation(error))
        return this.db.read(async (m) => ({ outcome: 'already_member', invitation: await this.detailsOf(m, ref) }));
      if (error instanceof InvitationRefused) await this.recordRefusal(error, accountId);
      throw error;
    }
  }

  async decline(ref: { token: string } | { id: string }, accountId: string): Promise<Decided> {
    try {
      return await this.db.transaction(async (m) => {
        const invitation = await this.resolve(m, ref);
        const tenant = await this.liveTenant(m, invitation);
        await this.assertBindingAllows(m, invitation, accountId);
        await this.upsertDecision(m, invitation.id, accountId, 'declined');
        // A bound invitation belongs to one person: their decline ends it. An open link stays open for others.
        if (invitation.email || invitation.phone)
          await m.update(Invitation, { id: invitation.id }, { endedAt: new Date(), endedReason: 'declined' });
        await recordAudit(m, {
          type: 'invitation.declined',
          actor: accountId,
          tenantId: invitation.tenantId,
          subject: invitation.id,
        });
        await this.notifyInviter(m, invitation, tenant, accountId, 'declined');
        return { outcome: 'declined' as const, invitation: await this.details(m, invitation, tenant) };
      });
    } catch (error) {
      if (error instanceof InvitationRefused) await this.recordRefusal(error, accountId);
      throw error;
    }
  }

  /**
   * The first invitations waiting for the account's decision (bound to its verified e-mail or phone, oldest first),
   * and whether more remain; deciding on these brings the next ones. A fixed number of queries, however
   * many are waiting.
   */
  async pendingFor(accountId: string, limit = REVIEW_PAGE_SIZE): Promise<PendingPage> {
    return this.db.read(async (m) => {
      const pending = await this.pendingQuery(m, accountId);
      if (!pending) return { items: [], more: false };
      const rows = await pending
        .orderBy('i.created_at', 'ASC')
        .addOrderBy('i.id', 'ASC')
        .limit(limit + 1)
        .getMany();
      const shown = rows.slice(0, limit);
      const tenants = await tenantsOf(
        m,
        shown.map((i) => i.tenantId),
      );
      const inviters = await inviterNamesOf(
        m,
        shown.map((i) => i.createdBy),
        async (id) => (await this.findClient(id))?.name,
      );
      const items = shown.map((invitation) =>
        this.detailsWith(
          invitation,
          tenants.find((t) => t.id === invitation.tenantId)!,
          inviters.get(invitation.createdBy)!,
        ),
      );
      return { items, more: rows.length > limit };
    });
  }

  /** Whether any invitation waits for the account's decision (the sign-in's review prompt asks only this). */
  async hasPending(accountId: string): Promise<boolean> {
    return this.db.read(async (m) => (await this.pendingQuery(m, accountId))?.getExists() ?? false);
  }

  /** Whether this invitation is one waiting for the account's decision (only those can be decided on the review page). */
  async isPendingFor(accountId: string, invitationId: string): Promise<boolean> {
    return this.db.read(
      async (m) =>
        (await this.pendingQuery(m, accountId))?.andWhere('i.id = :invitationId', { invitationId }).getExists() ??
        false,
    );
  }

  /**
   * The address a usable token proves a mailbox for: a bound invitation that Tessera itself e-mailed
   * (the admin never saw its link). A copied link (deliver=none) proves nothing.
   */
  async mailedAddressOf(token: string): Promise<string | undefined> {
    return this.deliveredTo(token, 'email');
  }

  /**
   * The number a usable token proves a phone for: a bound invitation that Tessera itself texted (its short
   * link reached the browser only through that SMS). A copied link proves nothing.
   */
  async textedNumberOf(token: string): Promise<string | undefined> {
    return this.deliveredTo(token, 'sms');
  }

  /** This account's decision on an invitation, with the tenant's name, if it made one. */
  async decisionOf(
    invitationId: string,
    accountId: string,
  ): Promise<{ decision: 'accepted' | 'declined'; tenantName: string } | undefined> {
    return this.db.read(async (m) => {
      const row = await m.findOneBy(InvitationRedemption, { invitationId, accountId });
      const invitation = row && (await m.findOneBy(Invitation, { id: invitationId }));
      const [tenant] = invitation ? await tenantsOf(m, [invitation.tenantId]) : [];
      return row && tenant ? { decision: row.decision, tenantName: tenant.name } : undefined;
    });
  }

  /** Where to go after deciding: the invitation's redirect_uri, else the app's login-initiation URI, else nothing. */
  async destinationFor(invitationId: string): Promise<string | undefined> {
    const invitation = await this.db.read((m) => m.findOneBy(Invitation, { id: invitationId }));
    if (!invitation?.clientId) return undefined;
    if (invitation.redirectUri) return invitation.redirectUri;
    const client = await this.findClient(invitation.clientId);
    if (!client?.initiateLoginUri) return undefined;
    const url = new URL(client.initiateLoginUri);
    url.searchParams.set('iss', this.issuer);
    url.searchParams.set('tenant_hint', invitation.tenantId);
    return url.href;
  }

  /**
   * The invitations waiting for the account's decision, as one query (alias `i`); undefined without a
   * verified e-mail or phone. Waiting: bound to those (each binding the account's), pending, tenant live, not decided by the account, and
   * not already covered by its membership (every role held: accepting would change nothing). Role names
   * never contain `"`, so an invitation's roles (a JSON array of strings) number its `"`s / 2, and a held
   * role is among them when `"role"` occurs in it.
   * The one place invitations/ reads tenants' tables (tenants, memberships, their roles): a read-only join,
   * so that the review page costs a fixed number of queries however many invitations wait; a tenants/
   * function could not take part in this query without knowing invitations.
   */
  private async pendingQuery(m: EntityManager, accountId: string): Promise<SelectQueryBuilder<Invitation> | undefined> {
    const { emails, phone } = await verifiedAddressesOf(m, accountId);
    const email = emails.length > 0;
    if (!email && !phone) return undefined;
    const held =
      "SELECT COUNT(*) FROM membership_roles mr WHERE mr.membership_id = mb.id AND (mr.expires_at IS NULL OR mr.expires_at > :now) AND INSTR(i.roles, CONCAT('\"', mr.role, '\"')) > 0";
    const wanted = "(LENGTH(i.roles) - LENGTH(REPLACE(i.roles, '\"', ''))) / 2";
    const query = m
      .createQueryBuilder(Invitation, 'i')
      .innerJoin(Tenant, 't', 't.id = i.tenant_id AND t.deleted_at IS NULL')
      .leftJoin(InvitationRedemption, 'r', 'r.invitation_id = i.id AND r.account_id = :accountId', { accountId })
      .leftJoin(Membership, 'mb', 'mb.tenant_id = i.tenant_id AND mb.account_id = :accountId', { now: new Date() })
      // Bound to a verified contact of the account (an equality each, so the indexes serve), and every
      // binding the invitation has is one of the account's.
      .where(`(${[email && 'i.email IN (:...emails)', phone && 'i.phone = :phone'].filter(Boolean).join(' OR ')})`, {
        emails,
        phone,
      })
      .andWhere(email ? '(i.email IS NULL OR i.email IN (:...emails))' : 'i.email IS NULL')
      .andWhere(phone ? '(i.phone IS NULL OR i.phone = :phone)' : 'i.phone IS NULL')
      .andWhere('r.invitation_id IS NULL')
      .andWhere(`(mb.id IS NULL OR (${held}) < ${wanted})`);
    whereStatus(query, 'pending');
    return query;
  }

  private async acceptIn(
    m: EntityManager,
    ref: { token: string } | { id: string },
    accountId: string,
  ): Promise<Decided> {
    const invitation = await this.resolve(m, ref);
    const { tenant, rolesGone } = await this.liveTenantAndRoles(m, invitation);
    await this.assertBindingAllows(m, invitation, accountId);
    const roles = rolesOf(invitation);
    if (rolesGone) throw new InvitationRefused('roles_gone', invitation.id);
    const grant = await this.planGrant(m, invitation, accountId);
    if (grant.outcome === 'already_member') {
      await this.upsertDecision(m, invitation.id, accountId, 'accepted'); // recorded, but no use is counted
      return { outcome: 'already_member', invitation: await this.details(m, invitation, tenant) };
    }

    await grantMembership(m, grant);
    await recordAudit(m, {
      type: 'invitation.accepted',
      actor: accountId,
      tenantId: invitation.tenantId,
      subject: invitation.id,
      // The creator's metadata rides with the event, as in the ID token's `invitation` claim (id-token-claim.ts).
      data: { roles, metadata: JSON.parse(invitation.metadata) as Record<string, unknown> },
    });
    await this.notifyInviter(m, invitation, tenant, accountId, 'accepted');
    const details = await this.details(m, invitation, tenant);

    // Count the use only while one remains, atomically: of concurrent accepts, no more than max_uses get through;
    // a refused one rolls back what it wrote above. Counted last: the row lock it takes on the invitation, which
    // every accept of it waits for, is held only for the decision and the commit.
    const counted = await runStatement(m, COUNT_USE, { id: invitation.id, jti: invitation.tokenJti, now: new Date() });
    if (counted.affected !== 1) throw new InvitationRefused('used_up', invitation.id);
    // After the count: the decision's foreign key shares a lock on the invitation's row, and two accepts
    // holding that share would deadlock on the count's exclusive lock.
    await this.upsertDecision(m, invitation.id, accountId, 'accepted');
    return { outcome: grant.outcome, invitation: details };
  }

  /** What accepting would grant the account: tenants/ reads its membership; nothing is written yet. */
  private planGrant(m: EntityManager, invitation: Invitation, accountId: string) {
    return planGrant(m, {
      tenantId: invitation.tenantId,
      accountId,
      roles: rolesOf(invitation),
      source: { type: 'invitation', ref: invitation.id, jti: invitation.tokenJti, grantedBy: invitation.createdBy },
      expiresAt: accessEndOf(invitation),
      renews: invitation.renews,
    });
  }

  /** The row a reference stands for, usable now: a token must verify and still be the current one. */
  private async resolve(m: EntityManager, ref: { token: string } | { id: string }): Promise<Invitation> {
    const invitation =
      'token' in ref ? await this.fromToken(m, ref.token) : await m.findOneBy(Invitation, { id: ref.id });
    if (!invitation) throw new InvitationRefused('not_found');
    if (!('token' in ref)) this.assertUsable(invitation);
    return invitation;
  }

  private async fromToken(m: EntityManager, token: string): Promise<Invitation> {
    let claims: ReturnType<typeof verifyInvitationToken>;
    try {
      claims = verifyInvitationToken(this.keys, this.issuer, token);
    } catch (error) {
      throw new InvitationRefused(error instanceof InvitationTokenError ? error.problem : 'invalid');
    }
    const invitation = await m.findOneBy(Invitation, { id: claims.inv });
    if (!invitation || invitation.tenantId !== claims.tid) throw new InvitationRefused('invalid');
    this.assertUsable(invitation);
    if (invitation.tokenJti !== claims.jti) throw new InvitationRefused('replaced', invitation.id);
    return invitation;
  }

  /** The database decides, at the moment of use: revoked, declined, used up, expired. */
  private assertUsable(invitation: Invitation): void {
    const status = statusOf(invitation);
    const problem: Partial<Record<typeof status, Problem>> = {
      revoked: 'revoked',
      declined: 'declined',
      accepted: 'used_up',
      exhausted: 'used_up',
      expired: 'expired',
      awaiting_approval: 'invalid',
    };
    if (problem[status]) throw new InvitationRefused(problem[status]!, invitation.id);
  }

  /**
   * The live tenant (else refused: tenant_gone), and whether a role of the invitation left its catalogue since
   * it was made (the caller refuses that: roles_gone), in one query.
   */
  private async liveTenantAndRoles(
    m: EntityManager,
    invitation: Invitation,
  ): Promise<{ tenant: TenantRef; rolesGone: boolean }> {
    const live = await liveTenantLacking(m, invitation.tenantId, rolesOf(invitation));
    if (!live) throw new InvitationRefused('tenant_gone', invitation.id);
    return { tenant: live.tenant, rolesGone: live.lacking.length > 0 };
  }

  private async liveTenant(m: EntityManager, invitation: Invitation): Promise<TenantRef> {
    const tenant = await liveTenantOf(m, invitation.tenantId);
    if (!tenant) throw new InvitationRefused('tenant_gone', invitation.id);
    return tenant;
  }

  /**
   * A bound invitation is for the account whose verified e-mail (its own, or one it proved for invitations),
   * and verified phone, match (each one the invitation names); nobody else may accept or decline it.
   */
  private async assertBindingAllows(m: EntityManager, invitation: Invitation, accountId: string): Promise<void> {
    if (!invitation.email && !invitation.phone) return;
    const verified = await verifiedAddressesOf(m, accountId);
    if (
      (invitation.email && !verified.emails.includes(invitation.email)) ||
      (invitation.phone && verified.phone !== invitation.phone)
    )
      throw new InvitationRefused('wrong_account', invitation.id);
  }

  /** The binding of a usable token's invitation that Tessera delivered itself over `channel`, if any. */
  private async deliveredTo(token: string, channel: 'email' | 'sms'): Promise<string | undefined> {
    try {
      const invitation = await this.db.read((m) => this.fromToken(m, token));
      const bound = channel === 'email' ? invitation.email : invitation.phone;
      return invitation.delivery === channel && bound && statusOf(invitation) === 'pending' ? bound : undefined;
    } catch {
      return undefined;
    }
  }

  private async upsertDecision(
    m: EntityManager,
    invitationId: string,
    accountId: string,
    decision: 'accepted' | 'declined',
  ): Promise<void> {
    await m.upsert(InvitationRedemption, { invitationId, accountId, decision, at: new Date() }, [
      'invitationId',
      'accountId',
    ]);
  }

  private async detailsOf(m: EntityManager, ref: { token: string } | { id: string }): Promise<InvitationDetails> {
    const id = 'id' in ref ? ref.id : verifyInvitationToken(this.keys, this.issuer, ref.token).inv;
    const invitation = await m.findOneByOrFail(Invitation, { id });
    // A deleted tenant keeps its row: the invitation's tenant is always there.
    const [tenant] = await tenantsOf(m, [invitation.tenantId]);
    return this.details(m, invitation, tenant!);
  }

  private async details(m: EntityManager, invitation: Invitation, tenant: TenantRef): Promise<InvitationDetails> {
    return this.detailsWith(
      invitation,
      tenant,
      await inviterNameOf(m, invitation.createdBy, async (id) => (await this.findClient(id))?.name),
    );
  }

  private detailsWith(invitation: Invitation, tenant: TenantRef, inviterName: string): InvitationDetails {
    return {
      id: invitation.id,
      tenantId: tenant.id,
      tenantName: tenant.name,
      roles: rolesOf(invitation),
      inviterName,
      email: invitation.email,
      phone: invitation.phone,
      expiresAt: invitation.expiresAt,
      accessEndsAt: accessEndOf(invitation),
    };
  }

  private async notifyInviter(
    m: EntityManager,
    invitation: Invitation,
    tenant: TenantRef,
    accountId: string,
    decision: 'accepted' | 'declined',
  ): Promise<void> {
    if (!invitation.notifyInviter || invitation.createdBy.startsWith('client:')) return;
    const inviter = await mailContactOf(m, invitation.createdBy);
    if (!inviter) return;
    const who = (await displayNamesOf(m, [accountId])).get(accountId) ?? 'Someone';
    const mail = this.mail.decided({ tenantName: tenant.name, who, decision, locale: inviter.locale });
    await enqueueMessage(m, {
      channel: 'email',
      recipient: inviter.email,
      subject: mail.subject,
      bodyText: mail.text,
      bodyHtml: mail.html,
    });
  }

  /** Refusals are audited outside the refused transaction, which changed nothing. */
  private async recordRefusal(error: InvitationRefused, accountId: string): Promise<void> {
    const tenantId = error.invitationId
      ? (await this.db.read((m) => m.findOneBy(Invitation, { id: error.invitationId! })))?.tenantId
      : undefined;
    await this.db.transaction((m) =>
      recordAudit(m, {
        type: 'invitation.refused',
        actor: accountId,
        tenantId,
        subject: error.invitationId,
        data: { why: error.problem },
      }),
    );
  }
}
