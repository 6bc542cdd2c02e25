// Creating and administering invitations: create, list, get, revoke, resend.
// The raw token leaves the server once, at creation (or resend), and only for deliver=none.
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import { parsePhoneNumber, smsCountryAllowed } from '../accounts/phone-numbers.js';
import { normaliseEmail } from '../accounts/service.js';
import { recordAudit } from '../db/audit.js';
import {
  decodeCursor,
  decodePosition,
  orderFrom,
  type Page,
  timeKey,
  toPage,
  toTwoWayPage,
  type TwoWayPage,
} from '../db/cursor.js';
import type { Database } from '../db/database.js';
import { type Delivery, Invitation } from '../db/entities/index.js';
import { enqueueWithinLimits, type MailLimits, type NewMessage, UNLIMITED_MAIL } from '../delivery/outbox.js';
import { AppError, BadRequest, Conflict, NotFound, TooManyRequests, Unprocessable } from '../errors.js';
import type { Quota } from '../http/rate-limit.js';
import type { KeySet } from '../keys/keys.js';
import { actorOf, type Caller } from '../tenants/access.js';
import { needsApproval, parseInvitationPolicy } from '../tenants/invitation-policy.js';
import { assertMayGrant, type InviterAccess, inviterAccess } from '../tenants/inviters.js';
import { assertRolesExist } from '../tenants/service.js';
import { approveIn, rejectIn } from './approval.js';
import type { InvitationMail } from './mail.js';
import {
  type BulkResultBody,
  DEFAULT_EXPIRES_IN,
  type InvitationProfileValue,
  type IssuedInvitationBody,
} from './schemas.js';
import {
  type InvitationStatus,
  inviterNameOf,
  statusOf,
  toInvitationView,
  type InvitationView,
  whereStatus,
} from './status.js';
import { accessEndColumns, assertAccessOutlasts } from './access-end.js';
import { tokenForRow } from './token.js';

export interface NewInvitation {
  roles: string[];
  expiresIn?: number;
  maxUses?: number;
  email?: string;
  phone?: string;
  clientId?: string;
  redirectUri?: string;
  metadata?: Record<string, unknown>;
  locale?: string;
  deliver: Delivery;
  notifyInviter?: boolean;
  /** Pre-filled sign-up fields (prefill.ts). */
  profile?: InvitationProfileValue;
  /** Access that ends (access-end.ts). */
  accessExpiresIn?: number;
  accessExpiresAt?: string;
  renews?: boolean;
}

export interface InvitationQuery {
  status?: InvitationStatus;
  limit: number;
  cursor?: string;
  /** `id` (the default) or `newest`: created_at descending, then id descending. */
  order?: 'id' | 'newest';
}

/** What invitations need to know of an OIDC client, supplied by the OIDC layer. */
export interface ClientInfo {
  name: string;
  redirectUris: string[];
  initiateLoginUri?: string;
}
export type FindClient = (clientId: string) => Promise<ClientInfo | undefined>;

/** Created or resent: the view, plus the link itself only when Tessera does not deliver it. */
export type IssuedInvitation = z.output<typeof IssuedInvitationBody>;
export type BulkResult = z.output<typeof BulkResultBody>;

/** Limits against using Tessera to mail people: per recipient and sender, and pending invitations per address. */
export interface InvitationLimits {
  mail: MailLimits;
  /** Pending invitations bound to one address, per tenant. */
  pendingPerEmail: number;
  /** Where invitations may be texted (SMS_COUNTRIES): calling codes and ISO countries; empty, everywhere. */
  smsCountries?: readonly string[];
}

export const hashHandle = (handle: string) => createHash('sha256').update(handle).digest('hex');

export class InvitationService {
  constructor(
    private readonly db: Database,
    private readonly keys: KeySet,
    private readonly issuer: string,
    private readonly mail: InvitationMail,
    private readonly findClient: FindClient,
    /** Per-tenant limit on creating and resending, counted only for callers allowed to (no one else can spend it). */
    private readonly quota: Quota,
    private readonly limits: InvitationLimits = { mail: UNLIMITED_MAIL, pendingPerEmail: Number.POSITIVE_INFINITY },
  ) {}

  linkFor(token: string): string {
    return `${this.issuer}/tenants/invitation-tokens/${token}`;
  }

  async create(caller: Caller, tenantId: string, input: NewInvitation): Promise<IssuedInvitation> {
    return this.db.transaction(async (m) => {
      const access = await inviterAccess(m, caller, tenantId);
      // Only now, for an inviter: otherwise the answers would tell strangers which clients exist.
      await this.checkTarget(input);
      const roles = input.roles.length ? input.roles : ['tenant-user'];
      await assertRolesExist(m, tenantId, roles);
      const policy = parseInvitationPolicy(access.tenant.invitationPolicy);
      assertMayGrant(access, roles, input.maxUses ?? 1, policy);
      await this.quota.consume(m, tenantId);
      // A role the policy guards waits for a second admin: no token exists, nothing is delivered until then.
      const awaiting = needsApproval(policy, roles);
      // Whole seconds, as MySQL's DATETIME stores them and the token's exp says.
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const invitation = Object.assign(new Invitation(), {
        id: crypto.randomUUID(),
        tokenJti: crypto.randomUUID(),
        tenantId,
        roles: JSON.stringify(roles),
        createdBy: actorOf(caller),
        createdAt: now,
        expiresAt: new Date(now.getTime() + (input.expiresIn ?? DEFAULT_EXPIRES_IN) * 1000),
        maxUses: input.maxUses ?? 1,
        useCount: 0,
        revokedAt: null,
        endedAt: null,
        endedReason: null,
        email: input.email ? normaliseEmail(input.email) : null,
        phone: input.phone ?? null,
        clientId: input.clientId ?? null,
        redirectUri: input.redirectUri ?? null,
        metadata: JSON.stringify(input.metadata ?? {}),
        locale: input.locale ?? null,
        delivery: input.deliver,
        notifyInviter: input.notifyInviter ?? false,
        profile: input.profile ? JSON.stringify(input.profile) : null,
        handleHash: null,
        approval: awaiting ? ('awaiting' as const) : null,
        approvedBy: null,
        approvedAt: null,
        ...accessEndColumns(input),
      });
      assertAccessOutlasts(invitation);
      if (invitation.email) await this.assertFewPending(m, tenantId, invitation.email);
      const issued = awaiting ? {} : await this.issue(m, invitation, access.tenant.name, actorOf(caller));
      await m.insert(Invitation, invitation);
      await recordAudit(m, {
        type: 'invitation.created',
        actor: actorOf(caller),
        tenantId,
        subject: invitation.id,
        data: { roles, delivery: input.deliver, bound: Boolean(invitation.email), awaiting_approval: awaiting },
      });
      if (awaiting)
        await recordAudit(m, {
          type: 'invitation.approval_requested',
          actor: actorOf(caller),
          tenantId,
          subject: invitation.id,
          data: { roles },
        });
      return { ...toInvitationView(invitation, now), ...issued };
    });
  }

  /**
   * Creates each invitation on its own (its own transaction, rules and quotas): one refused leaves the others.
   * A caller who may not invite here at all is refused once, for the whole call.
   */
  async createMany(caller: Caller, tenantId: string, items: (NewInvitation | AppError)[]): Promise<BulkResult> {
    await this.db.read((m) => inviterAccess(m, caller, tenantId));
    const results: BulkResult['results'] = [];
    for (const [index, item] of items.entries()) {
      try {
        if (item instanceof AppError) throw item;
        results.push({ index, status: 'created', invitation: await this.create(caller, tenantId, item) });
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        results.push({ index, status: 'failed', error: error.code, error_description: error.description });
      }
    }
    const created = results.filter((r) => r.status === 'created').length;
    return { created, failed: results.length - created, results };
  }

  /** A page of invitations: by id (the API's stable default), or newest first with cursors both ways (`order: 'newest'`). */
  async list(
    caller: Caller,
    tenantId: string,
    query: InvitationQuery,
  ): Promise<Page<InvitationView> & Partial<TwoWayPage<InvitationView>>> {
    const newest = query.order === 'newest';
    const after = newest ? undefined : decodeCursor(query.cursor);
    const at = newest ? decodePosition(query.cursor) : undefined;
    return this.db.read(async (m) => {
      const access = await inviterAccess(m, caller, tenantId);
      const q = m.createQueryBuilder(Invitation, 'i').where('i.tenant_id = :tenantId', { tenantId });
      if (access.ownOnly) q.andWhere('i.created_by = :me', { me: access.ownOnly });
      if (query.status) whereStatus(q, query.status);
      if (newest) {
        orderFrom(q, 'i.created_at', 'i.id', 'DESC', at, timeKey);
        const rows = await q.take(query.limit + 1).getMany();
        return toTwoWayPage(
          rows,
          query.limit,
          at,
          (i) => ({ key: i.createdAt.toISOString(), id: i.id }),
          (i) => toInvitationView(i),
        );
      }
      if (after) q.andWhere('i.id > :after', { after });
      return toPage(
        await q
          .orderBy('i.id', 'ASC')
          .take(query.limit + 1)
          .getMany(),
        query.limit,
        (i) => i.id,
        (i) => toInvitationView(i),
      );
    });
  }

  async get(caller: Caller, tenantId: string, id: string): Promise<InvitationView> {
    return this.db.read(async (m) => {
      return toInvitationView(await this.find(m, await inviterAccess(m, caller, tenantId), id));
    });
  }

  /** Revoking twice is harmless; the token stops working at once, since the row decides. */
  async revoke(caller: Caller, tenantId: string, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const invitation = await this.find(m, await inviterAccess(m, caller, tenantId), id);
      if (invitation.revokedAt) return;
      await m.update(Invitation, { id }, { revokedAt: new Date() });
      await recordAudit(m, { type: 'invitation.revoked', actor: actorOf(caller), tenantId, subject: id });
    });
  }

  /** A pending invitation gets a new token under the same id (the old one stops working) and is delivered again. */
  async resend(caller: Caller, tenantId: string, id: string): Promise<IssuedInvitation> {
    return this.db.transaction(async (m) => {
      const access = await inviterAccess(m, caller, tenantId);
      await this.quota.consume(m, tenantId);
      const invitation = await this.find(m, access, id);
      const status = statusOf(invitation);
      if (status !== 'pending')
        throw new Conflict(`Only a pending invitation can be resent; this one is ${status}.`, 'not_pending');
      invitation.tokenJti = crypto.randomUUID();
      const issued = await this.issue(m, invitation, access.tenant.name, actorOf(caller));
      await m.update(Invitation, { id }, { tokenJti: invitation.tokenJti, handleHash: invitation.handleHash });
      await recordAudit(m, { type: 'invitation.resent', actor: actorOf(caller), tenantId, subject: id });
      return { ...toInvitationView(invitation), ...issued };
    });
  }

  /**
   * Another tenant-admin approves an invitation that waits for approval: it gets its token and is delivered now,
   * in this transaction (deliver=none: the link is in this answer, once). See approval.ts.
   */
  async approve(caller: Caller, tenantId: string, id: string): Promise<IssuedInvitation> {
    return this.db.transaction((m) =>
      approveIn(m, caller, tenantId, id, (inv, tenantName) => this.issue(m, inv, tenantName, inv.createdBy)),
    );
  }

  /** Another tenant-admin turns an invitation that waits for approval down: it ends revoked. */
  async reject(caller: Caller, tenantId: string, id: string): Promise<void> {
    await this.db.transaction((m) => rejectIn(m, caller, tenantId, id));
  }

  /**
   * Signs a token for the row (and a short-link handle for SMS), then delivers it or hands it back.
   * `inviter` (who created it) names the sender in the message and is counted against the sender's mail limit.
   */
  private async issue(
    m: EntityManager,
    invitation: Invitation,
    tenantName: string,
    inviter: string,
  ): Promise<{ token?: string; url?: string }> {
    const token = tokenForRow(this.keys, this.issuer, invitation);
    if (invitation.delivery === 'none') return { token, url: this.linkFor(token) };
    const context = {
      tenantName,
      inviterName: await inviterNameOf(m, inviter, this.clientName),
      expiresAt: invitation.expiresAt,
      locale: invitation.locale,
      link: this.linkFor(token),
    };
    if (invitation.delivery === 'email') {
      const mail = this.mail.invitation(context);
      await this.deliver(
        m,
        {
          channel: 'email',
          recipient: invitation.email!,
          subject: mail.subject,
          bodyText: mail.text,
          bodyHtml: mail.html,
        },
        inviter,
      );
    } else {
      const handle = randomBytes(16).toString('base64url');
      invitation.handleHash = hashHandle(handle);
      await this.deliver(
        m,
        {
          channel: 'sms',
          recipient: invitation.phone!,
          subject: 'invitation',
          bodyText: this.mail.sms({ ...context, link: `${this.issuer}/i/${handle}` }),
        },
        inviter,
      );
    }
    await recordAudit(m, {
      type: 'invitation.delivered',
      actor: inviter,
      tenantId: invitation.tenantId,
      subject: invitation.id,
      data: { channel: invitation.delivery },
    });
    return {};
  }

  /** Queues the message within the mail limits; a refusal is a 429 and rolls the invitation back. */
  private async deliver(m: EntityManager, message: NewMessage, sender: string): Promise<void> {
    const queued = await enqueueWithinLimits(m, message, this.limits.mail, sender);
    if (queued.queued) return;
    if (queued.limit === 'sender') {
      throw new TooManyRequests(
        queued.retryAfterSeconds,
        'You have sent as many invitations as one sender may this hour. Please try again later.',
        'sender_mail_limit',
      );
    }
    throw new TooManyRequests(
      queued.retryAfterSeconds,
      'This address has been sent as many messages as it may receive this hour. Please try again later.',
      'recipient_mail_limit',
    );
  }

  /** An address holds only a few pending invitations per tenant: resend one instead of piling up more. */
  private async assertFewPending(m: EntityManager, tenantId: string, email: string): Promise<void> {
    const q = m
      .createQueryBuilder(Invitation, 'i')
      .where('i.tenant_id = :tenantId AND i.email = :email', { tenantId, email });
    whereStatus(q, 'pending');
    // A locking read sees what a parallel create committed a moment ago (the tenant's quota row makes them
    // take turns). FOR UPDATE, since MariaDB has no FOR SHARE; a gap-lock deadlock is retried by Database.
    if (m.connection.options.type === 'mysql') q.setLock('pessimistic_write');
    const pending = await q.getCount();
    if (pending >= this.limits.pendingPerEmail) {
      throw new Conflict(
        `This address has ${pending} pending invitations to this tenant already; resend or revoke one instead.`,
        'too_many_pending',
      );
    }
  }

  private mayText(phone: string): boolean {
    const number = parsePhoneNumber(phone);
    return number !== undefined && smsCountryAllowed(number, this.limits.smsCountries ?? []);
  }

  private readonly clientName = async (id: string) => (await this.findClient(id))?.name;

  /** One invitation of the tenant; a member inviter sees only their own (others' are not found, not forbidden). */
  private async find(m: EntityManager, access: InviterAccess, id: string): Promise<Invitation> {
    const invitation = await m.findOneBy(Invitation, { id, tenantId: access.tenant.id });
    if (!invitation || (access.ownOnly && invitation.createdBy !== access.ownOnly))
      throw new NotFound('There is no such invitation in this tenant.', 'invitation_not_found');
    return invitation;
  }

  /** Delivery needs an address; a redirect must be registered for the client it names. */
  private async checkTarget(input: NewInvitation): Promise<void> {
    if (input.deliver === 'email' && !input.email)
      throw new BadRequest('deliver=email needs an email.', 'invalid_request');
    if (input.deliver === 'sms' && !input.phone)
      throw new BadRequest('deliver=sms needs a phone number.', 'invalid_request');
    if (input.deliver === 'sms' && !this.mayText(input.phone!))
      throw new Unprocessable(
        "SMS does not go to this number's country here (SMS_COUNTRIES).",
        'sms_country_not_allowed',
      );
    if (input.redirectUri && !input.clientId)
      throw new BadRequest('redirect_uri needs the client_id it is registered for.', 'invalid_request');
    if (!input.clientId) return;
    const client = await this.findClient(input.clientId);
    if (!client) throw new Unprocessable(`There is no client "${input.clientId}".`, 'unknown_client');
    if (input.redirectUri && !client.redirectUris.includes(input.redirectUri)) {
      throw new Unprocessable('redirect_uri is not registered for that client.', 'invalid_redirect_uri');
    }
  }
}
