// A tenant's e-mail domains: claimed by a tenant admin, verified by a DNS TXT record or an operator's
// attestation, each with a join policy. Several tenants may claim one domain while it is unverified (so a
// squatter cannot block its owner); once verified it belongs to that tenant alone (a unique column says so).
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { type EntityManager, IsNull, Not } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { type JoinPolicy, TenantDomain } from '../db/entities/index.js';
import { BadRequest, Conflict, NotFound, ServiceUnavailable, Unprocessable } from '../errors.js';
import type { Quota } from '../http/rate-limit.js';
import { accessTo, actorOf, type Caller, requireAdmin } from '../tenants/access.js';
import { liveTenantOf } from '../tenants/grants.js';
import type { TxtLookup } from './domains-dns.js';
import { type DomainSignInPatch, signInAfter } from './domains-sign-in.js';

export const JOIN_POLICIES = ['off', 'suggest', 'auto', 'request'] as const;

/** Where the TXT record goes (under the domain) and how its value starts. */
export const RECORD_PREFIX = '_tessera-verification';
export const RECORD_VALUE_PREFIX = 'tessera-domain-verification=';

/** A tenant's domains are listed whole on its admin page and in the API: keep the list short. */
export const MAX_DOMAINS_PER_TENANT = 50;

/** A domain as the API and the admin page show it. */
export interface DomainView {
  id: string;
  tenant_id: string;
  domain: string;
  status: 'pending' | 'verified';
  verified_at: string | null;
  method: 'dns' | 'operator' | null;
  join_policy: JoinPolicy;
  /** The tenant's connection that signs in people of this domain (home-realm discovery), if any. */
  sso_connection_id: string | null;
  /** False: addresses of the domain may not sign in with a password (only with a connection set). */
  password_sign_in: boolean;
  created_at: string;
  /** The TXT record that verifies the domain; null once verified. */
  verification: { type: 'TXT'; name: string; value: string } | null;
}

/** Which tenant holds a verified domain, and how people of that domain may join it (for sign-in features). */
export interface DomainOwner {
  tenantId: string;
  tenantName: string;
  domain: string;
  joinPolicy: JoinPolicy;
  /** The tenant's connection its people of the domain sign in through (home-realm discovery), if any. */
  ssoConnectionId: string | null;
  passwordSignIn: boolean;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The canonical form of a domain name: lower case, IDNA (punycode) for international names, no trailing
 * dot; undefined when it is not a host name with at least two labels (no IP addresses, no bare TLDs).
 */
export function normaliseDomain(input: string): string | undefined {
  const trimmed = input.trim().replace(/\.$/, '');
  if (!trimmed || trimmed.length > 253 || isIP(trimmed) || /[/:@\s]/.test(trimmed)) return undefined;
  const ascii = domainToASCII(trimmed);
  if (!ascii || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1)!)) return undefined;
  return ascii;
}

/** The normalised domain of an e-mail address (after its last @), if it has a valid one. */
export function domainOfEmail(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  return at > 0 ? normaliseDomain(email.slice(at + 1)) : undefined;
}

/** The normalised domain of an e-mail address, or of a domain name. */
export const domainOf = (domainOrEmail: string) =>
  domainOrEmail.includes('@') ? domainOfEmail(domainOrEmail) : normaliseDomain(domainOrEmail);

export const recordNameOf = (domain: string) => `${RECORD_PREFIX}.${domain}`;

function toView(row: TenantDomain): DomainView {
  return {
    id: row.id,
    tenant_id: row.tenantId,
    domain: row.domain,
    status: row.verifiedAt ? 'verified' : 'pending',
    verified_at: row.verifiedAt?.toISOString() ?? null,
    method: row.method,
    join_policy: row.joinPolicy,
    sso_connection_id: row.ssoConnectionId,
    password_sign_in: row.passwordSignIn,
    created_at: row.createdAt.toISOString(),
    verification: row.verifiedAt
      ? null
      : { type: 'TXT', name: recordNameOf(row.domain), value: `${RECORD_VALUE_PREFIX}${row.verificationToken}` },
  };
}

const parseDomain = (input: string) => {
  const domain = normaliseDomain(input);
  if (!domain) throw new BadRequest('Expected a domain name such as example.com.', 'invalid_domain');
  return domain;
};

const takenError = (domain: string) => new Conflict(`${domain} is verified by another tenant.`, 'domain_taken');

export class DomainService {
  constructor(
    private readonly db: Database,
    private readonly lookupTxt: TxtLookup,
    /** Per-tenant limit on DNS verification attempts, so a tenant cannot make Tessera a DNS query pump. */
    private readonly verifyQuota: Quota,
  ) {}

  async list(caller: Caller, tenantId: string): Promise<DomainView[]> {
    return this.db.read(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      const rows = await m.find(TenantDomain, { where: { tenantId }, order: { domain: 'ASC' } });
      return rows.map(toView);
    });
  }

  async get(caller: Caller, tenantId: string, id: string): Promise<DomainView> {
    return this.db.read(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      return toView(await this.find(m, tenantId, id));
    });
  }

  /** Claims a domain for the tenant, unverified, with a fresh verification token. */
  async claim(
    caller: Caller,
    tenantId: string,
    input: { domain: string; joinPolicy?: JoinPolicy },
  ): Promise<DomainView> {
    const domain = parseDomain(input.domain);
    return this.db.transaction(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      const row = await this.insertClaim(m, tenantId, domain, input.joinPolicy ?? 'off', actorOf(caller));
      await recordAudit(m, { type: 'domain.claimed', actor: actorOf(caller), tenantId, subject: domain });
      return toView(row);
    });
  }

  /** Changes a domain's join policy and how its people sign in (connection, password); each change audited. */
  async update(
    caller: Caller,
    tenantId: string,
    id: string,
    patch: DomainSignInPatch & { joinPolicy?: JoinPolicy },
  ): Promise<DomainView> {
    return this.db.transaction(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      const row = await this.find(m, tenantId, id);
      const joinPolicy = patch.joinPolicy ?? row.joinPolicy;
      const signIn = await signInAfter(m, row, patch);
      const audit = (type: string, from: unknown, to: unknown) =>
        recordAudit(m, { type, actor: actorOf(caller), tenantId, subject: row.domain, data: { from, to } });
      if (joinPolicy !== row.joinPolicy) await audit('domain.policy_changed', row.joinPolicy, joinPolicy);
      const signInBefore = { ssoConnectionId: row.ssoConnectionId, passwordSignIn: row.passwordSignIn };
      if (JSON.stringify(signIn) !== JSON.stringify(signInBefore))
        await audit('domain.sign_in_changed', signInBefore, signIn);
      await m.update(TenantDomain, { id }, { joinPolicy, ...signIn });
      return toView({ ...row, joinPolicy, ...signIn });
    });
  }

  /** Gives the domain up: it stops offering the tenant, and another tenant may verify it. */
  async remove(caller: Caller, tenantId: string, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      const row = await this.find(m, tenantId, id);
      await m.delete(TenantDomain, { id });
      await recordAudit(m, { type: 'domain.removed', actor: actorOf(caller), tenantId, subject: row.domain });
    });
  }

  /**
   * Looks for the domain's TXT record and, when it carries this claim's token, marks the domain verified.
   * The DNS question is asked outside any transaction (it may take seconds); the verifying update is
   * conditional and the unique column refuses a second tenant, so two verifications at once cannot both win.
   */
  async verify(caller: Caller, tenantId: string, id: string): Promise<DomainView> {
    const row = await this.db.transaction(async (m) => {
      requireAdmin(await accessTo(m, caller, tenantId));
      const found = await this.find(m, tenantId, id);
      if (!found.verifiedAt) await this.verifyQuota.consume(m, tenantId);
      return found;
    });
    if (row.verifiedAt) return toView(row);
    const name = recordNameOf(row.domain);
    const answer = await this.lookupTxt(name);
    if ('failed' in answer)
      throw new ServiceUnavailable(
        30,
        `The DNS question for ${name} got no answer (${answer.failed}); try again later.`,
        'dns_unavailable',
      );
    const expected = `${RECORD_VALUE_PREFIX}${row.verificationToken}`;
    if (!('found' in answer) || !answer.found.some((value) => value.trim() === expected))
      throw new Unprocessable(
        `No TXT record at ${name} says ${expected} (DNS changes can take a while to show).`,
        'domain_not_verified',
      );
    return this.markVerified(row, 'dns', actorOf(caller));
  }

  /**
   * An operator's word that the tenant owns the domain (the CLI): claims it if need be and marks it verified,
   * unless another tenant holds it verified.
   */
  async attest(tenantId: string, input: string, joinPolicy?: JoinPolicy, actor = 'cli'): Promise<DomainView> {
    const domain = parseDomain(input);
    const row = await this.db.transaction(async (m) => {
      if (!(await liveTenantOf(m, tenantId)))
        throw new NotFound('There is no tenant with this id.', 'tenant_not_found');
      const existing = await m.findOneBy(TenantDomain, { tenantId, domain });
      const claimed = existing ?? (await this.insertClaim(m, tenantId, domain, joinPolicy ?? 'off', actor));
      if (!existing) await recordAudit(m, { type: 'domain.claimed', actor, tenantId, subject: domain });
      if (joinPolicy && existing && existing.joinPolicy !== joinPolicy) {
        await m.update(TenantDomain, { id: existing.id }, { joinPolicy });
        claimed.joinPolicy = joinPolicy;
      }
      return claimed;
    });
    return row.verifiedAt ? toView(row) : this.markVerified(row, 'operator', actor);
  }

  /**
   * Which live tenant holds this domain (or the domain of this e-mail address) verified, with its join
   * policy; undefined when none does. For the sign-in features: joining by domain, home-realm discovery,
   * just-in-time membership.
   */
  /** The domains this tenant holds verified: its own connections are trusted for e-mails in them. */
  async verifiedOf(tenantId: string): Promise<string[]> {
    return this.db.read(async (m) =>
      (await m.findBy(TenantDomain, { tenantId, verifiedDomain: Not(IsNull()) })).map((row) => row.domain),
    );
  }

  async ownerOf(domainOrEmail: string): Promise<DomainOwner | undefined> {
    const domain = domainOf(domainOrEmail);
    if (!domain) return undefined;
    return this.db.read((m) => ownerIn(m, domain));
  }

  private async insertClaim(
    m: EntityManager,
    tenantId: string,
    domain: string,
    joinPolicy: JoinPolicy,
    createdBy: string,
  ): Promise<TenantDomain> {
    if (await m.findOneBy(TenantDomain, { verifiedDomain: domain, tenantId: Not(tenantId) })) throw takenError(domain);
    if (await m.findOneBy(TenantDomain, { tenantId, domain }))
      throw new Conflict(`This tenant has claimed ${domain} already.`, 'domain_exists');
    if ((await m.countBy(TenantDomain, { tenantId })) >= MAX_DOMAINS_PER_TENANT)
      throw new Conflict(`A tenant may have at most ${MAX_DOMAINS_PER_TENANT} domains.`, 'too_many_domains');
    const row = Object.assign(new TenantDomain(), {
      id: crypto.randomUUID(),
      tenantId,
      domain,
      verifiedDomain: null,
      verificationToken: randomBytes(24).toString('base64url'),
      verifiedAt: null,
      method: null,
      joinPolicy,
      ssoConnectionId: null,
      passwordSignIn: true,
      // Whole seconds, as MySQL's DATETIME keeps them.
      createdAt: new Date(Math.floor(Date.now() / 1000) * 1000),
      createdBy,
    });
    await m.insert(TenantDomain, row);
    return row;
  }

  private async markVerified(row: TenantDomain, method: 'dns' | 'operator', actor: string): Promise<DomainView> {
    try {
      return await this.writeVerified(row, method, actor);
    } catch (error) {
      // Another tenant's verification of the same domain committed first: the unique column refused this one.
      if (isUniqueViolation(error)) throw takenError(row.domain);
      throw error;
    }
  }

  private async writeVerified(row: TenantDomain, method: 'dns' | 'operator', actor: string): Promise<DomainView> {
    return this.db.transaction(async (m) => {
      if (await m.findOneBy(TenantDomain, { verifiedDomain: row.domain, tenantId: Not(row.tenantId) }))
        throw takenError(row.domain);
      const verifiedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      // Only a claim that still exists and is still unverified: the unique column settles a race between tenants.
      const updated = await m.update(
        TenantDomain,
        { id: row.id, verifiedAt: IsNull() },
        { verifiedAt, verifiedDomain: row.domain, method },
      );
      if (updated.affected !== 1) {
        const now = await m.findOneBy(TenantDomain, { id: row.id });
        if (!now) throw new NotFound('There is no such domain for this tenant.', 'domain_not_found');
        return toView(now);
      }
      await recordAudit(m, {
        type: 'domain.verified',
        actor,
        tenantId: row.tenantId,
        subject: row.domain,
        data: { method },
      });
      return toView({ ...row, verifiedAt, verifiedDomain: row.domain, method });
    });
  }

  private async find(m: EntityManager, tenantId: string, id: string): Promise<TenantDomain> {
    const row = await m.findOneBy(TenantDomain, { id, tenantId });
    if (!row) throw new NotFound('There is no such domain for this tenant.', 'domain_not_found');
    return row;
  }
}

/** The live tenant holding `domain` (normalised) verified, inside the caller's transaction. */
export async function ownerIn(m: EntityManager, domain: string): Promise<DomainOwner | undefined> {
  const row = await m.findOneBy(TenantDomain, { verifiedDomain: domain });
  const tenant = row && (await liveTenantOf(m, row.tenantId));
  return row && tenant
    ? {
        tenantId: tenant.id,
        tenantName: tenant.name,
        domain: row.domain,
        joinPolicy: row.joinPolicy,
        ssoConnectionId: row.ssoConnectionId,
        passwordSignIn: row.passwordSignIn,
      }
    : undefined;
}
