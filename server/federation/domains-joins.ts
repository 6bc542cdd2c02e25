// Joining a tenant by the verified domain of one's e-mail, after sign-in, as the domain's join policy says:
// suggest (the person accepts or declines), auto (joined silently), request (a tenant admin approves or
// denies). Every decision is a join_requests row, so a tenant's domain offers itself to a person once; the
// membership itself is granted through tenants/ (grants.ts), never written here. Admins decide requests in
// domains-requests.ts.
import type { EntityManager } from 'typeorm';
import { verifiedEmailOf } from '../accounts/profiles.js';
import { recordAudit } from '../db/audit.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { JoinRequest, type JoinStatus } from '../db/entities/index.js';
import { Conflict } from '../errors.js';
import { TENANT_USER } from '../tenants/access.js';
import { grantMembership, liveTenantOf, planGrant } from '../tenants/grants.js';
import { type DomainOwner, domainOfEmail, ownerIn } from './domains.js';

/** What the sign-in shows after consent: an offer to join (by policy), or an admin's decision not yet seen. */
export type JoinStep =
  | { kind: 'offer'; owner: DomainOwner; email: string }
  | { kind: 'outcome'; requestId: string; tenantId: string; tenantName: string; status: 'approved' | 'denied' };

/** What a person decided on an offer. */
export type JoinDecision = 'join' | 'request' | 'skip';

const now = () => new Date(Math.floor(Date.now() / 1000) * 1000);

const notOffered = () => new Conflict('This tenant is not offered to you (any more).', 'join_not_offered');

export class JoinService {
  constructor(private readonly db: Database) {}

  /**
   * What the sign-in should show this account: first an admin's decision it has not seen, then the tenant
   * of its verified e-mail's domain, when that domain's policy offers it and nothing was decided yet.
   */
  async stepFor(accountId: string): Promise<JoinStep | undefined> {
    return this.db.read(async (m) => {
      const decided = await m
        .createQueryBuilder(JoinRequest, 'r')
        .where('r.account_id = :accountId AND r.status IN (:...decided) AND r.seen_at IS NULL', {
          accountId,
          decided: ['approved', 'denied'],
        })
        .orderBy('r.decided_at', 'ASC')
        .getOne();
      if (decided) {
        const tenant = await liveTenantOf(m, decided.tenantId);
        if (tenant)
          return {
            kind: 'outcome',
            requestId: decided.id,
            tenantId: tenant.id,
            tenantName: tenant.name,
            status: decided.status as 'approved' | 'denied',
          };
      }
      const offer = await offerIn(m, accountId);
      return offer && { kind: 'offer', ...offer };
    });
  }

  /**
   * The auto policy: joins the account to its domain's tenant as tenant-user, audited. Answers the tenant
   * joined, or undefined when the domain offers nothing to join automatically (any more).
   */
  async joinAutomatically(accountId: string): Promise<string | undefined> {
    return this.settle(async (m) => {
      const offer = await offerIn(m, accountId);
      if (offer?.owner.joinPolicy !== 'auto') return undefined;
      await this.join(m, accountId, offer, 'domain_join.auto');
      return offer.owner.tenantId;
    });
  }

  /**
   * The person's answer to the offer for `tenantId` (the one the page showed): join (suggest), request
   * (request), or skip (either; remembered, so the offer does not return). Answers the tenant joined, if any.
   */
  async decide(accountId: string, tenantId: string, decision: JoinDecision): Promise<string | undefined> {
    return this.settle(async (m) => {
      const offer = await offerIn(m, accountId);
      const policy = offer?.owner.tenantId === tenantId ? offer.owner.joinPolicy : undefined;
      if (!offer || !policy) throw notOffered();
      if (decision === 'skip') {
        await insertDecision(m, accountId, offer, 'skipped');
        await recordAudit(m, { type: 'domain_join.skipped', actor: accountId, tenantId, subject: accountId });
        return undefined;
      }
      if (decision === 'join' && (policy === 'suggest' || policy === 'auto')) {
        await this.join(m, accountId, offer, 'domain_join.joined');
        return tenantId;
      }
      if (decision === 'request' && policy === 'request') {
        const request = await insertDecision(m, accountId, offer, 'pending');
        await recordAudit(m, {
          type: 'join_request.created',
          actor: accountId,
          tenantId,
          subject: request.id,
          data: { domain: offer.owner.domain },
        });
        return undefined;
      }
      throw notOffered();
    });
  }

  /** The person saw an admin's decision at sign-in: it is not shown again. Only their own, once. */
  async markSeen(accountId: string, requestId: string): Promise<void> {
    await this.db.write((m) =>
      m
        .createQueryBuilder()
        .update(JoinRequest)
        .set({ seenAt: new Date() })
        .where('id = :requestId AND account_id = :accountId AND seen_at IS NULL', { requestId, accountId })
        .execute(),
    );
  }

  private async join(m: EntityManager, accountId: string, offer: Offer, type: string): Promise<void> {
    const { tenantId } = offer.owner;
    await grantMembership(
      m,
      await planGrant(m, {
        tenantId,
        accountId,
        roles: [TENANT_USER],
        source: { type: 'domain', ref: offer.owner.domain },
      }),
    );
    const row = await insertDecision(m, accountId, offer, 'joined');
    await recordAudit(m, {
      type,
      actor: type === 'domain_join.auto' ? null : accountId,
      tenantId,
      subject: accountId,
      data: { domain: offer.owner.domain, request: row.id },
    });
  }

  /**
   * Runs a decision's transaction; a second decision for the same (tenant, account) at the same time meets
   * the unique key and is refused, whichever came second.
   */
  private async settle<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(fn);
    } catch (error) {
      if (isUniqueViolation(error) || (error instanceof Conflict && error.code !== 'join_not_offered'))
        throw notOffered();
      throw error;
    }
  }
}

interface Offer {
  owner: DomainOwner;
  email: string;
}

/**
 * The tenant the account's verified e-mail domain offers it: a verified domain of a live tenant whose
 * policy is not off, the account not a member, and nothing decided between them yet.
 */
async function offerIn(m: EntityManager, accountId: string): Promise<Offer | undefined> {
  const email = await verifiedEmailOf(m, accountId);
  const domain = email && domainOfEmail(email);
  const owner = domain ? await ownerIn(m, domain) : undefined;
  if (!email || !owner || owner.joinPolicy === 'off') return undefined;
  if (await m.findOneBy(JoinRequest, { tenantId: owner.tenantId, accountId })) return undefined;
  const plan = await planGrant(m, {
    tenantId: owner.tenantId,
    accountId,
    roles: [TENANT_USER],
    source: { type: 'domain' },
  });
  return plan.outcome === 'joined' ? { owner, email } : undefined;
}

async function insertDecision(
  m: EntityManager,
  accountId: string,
  offer: Offer,
  status: JoinStatus,
): Promise<JoinRequest> {
  const row = Object.assign(new JoinRequest(), {
    id: crypto.randomUUID(),
    tenantId: offer.owner.tenantId,
    accountId,
    domain: offer.owner.domain,
    email: offer.email,
    status,
    createdAt: now(),
    decidedAt: status === 'pending' ? null : now(),
    decidedBy: status === 'pending' ? null : accountId,
    seenAt: null,
  });
  await m.insert(JoinRequest, row);
  return row;
}
