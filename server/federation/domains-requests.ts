// The requests to join by domain as tenant admins see them: listed, approved (the person becomes a
// tenant-user through tenants/) or denied, each decided once, audited, and told to the person by mail.
import type { EntityManager } from 'typeorm';
import { displayNamesOf, mailContactOf } from '../accounts/profiles.js';
import { recordAudit } from '../db/audit.js';
import { decodePosition, orderFrom, timeKey, type TwoWayPage, toTwoWayPage } from '../db/cursor.js';
import type { Database } from '../db/database.js';
import { JoinRequest, type JoinStatus } from '../db/entities/index.js';
import { enqueueMessage } from '../delivery/outbox.js';
import { Conflict, NotFound } from '../errors.js';
import { accessTo, actorOf, type Caller, requireAdmin, TENANT_USER } from '../tenants/access.js';
import { grantMembership, planGrant } from '../tenants/grants.js';
import type { DomainMail } from './domains-mail.js';

/** A join request as tenant admins see it. */
export interface JoinRequestView {
  id: string;
  tenant_id: string;
  account: { id: string; name: string | null; email: string };
  domain: string;
  status: JoinStatus;
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
}

export interface JoinRequestQuery {
  status?: JoinStatus;
  limit: number;
  cursor?: string;
}

const now = () => new Date(Math.floor(Date.now() / 1000) * 1000);

export class JoinRequestService {
  constructor(
    private readonly db: Database,
    private readonly mail: DomainMail,
  ) {}

  /** A page of the tenant's join requests, newest first (pending ones by default). */
  async list(caller: Caller, tenantId: string, query: JoinRequestQuery): Promise<TwoWayPage<JoinRequestView>> {
    const at = decodePosition(query.cursor);
    return this.db.read(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      const q = m
        .createQueryBuilder(JoinRequest, 'r')
        .where('r.tenant_id = :tenantId AND r.status = :status', { tenantId, status: query.status ?? 'pending' });
      orderFrom(q, 'r.created_at', 'r.id', 'DESC', at, timeKey);
      const rows = await q.take(query.limit + 1).getMany();
      const names = await displayNamesOf(
        m,
        rows.map((r) => r.accountId),
      );
      return toTwoWayPage(
        rows,
        query.limit,
        at,
        (r) => ({ key: r.createdAt.toISOString(), id: r.id }),
        (r) => toView(r, names.get(r.accountId)),
      );
    });
  }

  async get(caller: Caller, tenantId: string, id: string): Promise<JoinRequestView> {
    return this.db.read(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      const row = await findRequest(m, tenantId, id);
      return toView(row, (await displayNamesOf(m, [row.accountId])).get(row.accountId));
    });
  }

  /** Approves a pending request: the person becomes a tenant-user, hears of it by mail and at next sign-in. */
  async approve(caller: Caller, tenantId: string, id: string): Promise<JoinRequestView> {
    return this.decideRequest(caller, tenantId, id, 'approved');
  }

  /** Denies a pending request: the person hears of it by mail and at next sign-in, and is not offered it again. */
  async deny(caller: Caller, tenantId: string, id: string): Promise<JoinRequestView> {
    return this.decideRequest(caller, tenantId, id, 'denied');
  }

  private async decideRequest(
    caller: Caller,
    tenantId: string,
    id: string,
    status: 'approved' | 'denied',
  ): Promise<JoinRequestView> {
    return this.db.transaction(async (m) => {
      const access = await accessTo(m, caller, tenantId);
      requireAdmin(access);
      const row = await findRequest(m, tenantId, id);
      const decidedAt = now();
      const decidedBy = actorOf(caller);
      // Decided once: two admins deciding at the same time cannot both win.
      const updated = await m
        .createQueryBuilder()
        .update(JoinRequest)
        .set({ status, decidedAt, decidedBy })
        .where("id = :id AND tenant_id = :tenantId AND status = 'pending'", { id, tenantId })
        .execute();
      if (updated.affected !== 1) throw new Conflict(`This request is ${row.status} already.`, 'not_pending');
      if (status === 'approved') {
        const plan = await planGrant(m, {
          tenantId,
          accountId: row.accountId,
          roles: [TENANT_USER],
          source: { type: 'domain', ref: row.domain, grantedBy: decidedBy },
        });
        await grantMembership(m, plan);
      }
      await recordAudit(m, {
        type: `join_request.${status}`,
        actor: decidedBy,
        tenantId,
        subject: row.id,
        data: { account: row.accountId, domain: row.domain },
      });
      await this.tellRequester(m, row.accountId, access.tenant.name, status);
      return toView(
        { ...row, status, decidedAt, decidedBy },
        (await displayNamesOf(m, [row.accountId])).get(row.accountId),
      );
    });
  }

  private async tellRequester(
    m: EntityManager,
    accountId: string,
    tenantName: string,
    status: 'approved' | 'denied',
  ): Promise<void> {
    const contact = await mailContactOf(m, accountId);
    if (!contact) return;
    const mail = this.mail.requestDecided({ tenantName, status, locale: contact.locale });
    await enqueueMessage(m, {
      channel: 'email',
      recipient: contact.email,
      subject: mail.subject,
      bodyText: mail.text,
      bodyHtml: mail.html,
    });
  }
}

async function findRequest(m: EntityManager, tenantId: string, id: string): Promise<JoinRequest> {
  const row = await m.findOneBy(JoinRequest, { id, tenantId });
  if (!row) throw new NotFound('There is no such join request for this tenant.', 'join_request_not_found');
  return row;
}

function toView(row: JoinRequest, name: string | undefined): JoinRequestView {
  return {
    id: row.id,
    tenant_id: row.tenantId,
    account: { id: row.accountId, name: name && name !== row.email ? name : null, email: row.email },
    domain: row.domain,
    status: row.status,
    created_at: row.createdAt.toISOString(),
    decided_at: row.decidedAt?.toISOString() ?? null,
    decided_by: row.decidedBy,
  };
}
