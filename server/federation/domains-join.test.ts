// Joining by domain after sign-in, through the real pages, on each database: each join policy (off,
// suggest, auto, request with approve / deny), and what never offers anything (an unverified domain or
// e-mail, a member, a deleted tenant, a decision already made).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { AuditEvent, JoinRequest } from '../db/entities/index.js';
import { apiClient } from '../../test/support/api.js';
import { mailsTo } from '../../test/support/accounts.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, person, signIn, userToken } from '../../test/support/tokens.js';
import { UserAgent } from '../../test/support/user-agent.js';
import type { JoinPolicy } from '../db/entities/index.js';
import { JoinService } from './domains-joins.js';

interface TenantClaims {
  active_tenant?: { tenant_id: string; roles: string[] };
  all_tenants: { tenant_id: string; roles: string[] }[];
}

const JOIN_FORM = /action="\/interaction\/[^"]+\/domain-join"/;

describeWithServer('joining a tenant by the domain of a verified e-mail', (server: () => TestServer) => {
  const { call, tenantWith } = apiClient(server);
  let manage: string;
  let admin: Person;
  let adminToken: string;

  before(async () => {
    manage = await clientToken(server(), { manage: true });
    admin = await person(server(), 'Admin');
    adminToken = await userToken(server(), admin);
  });

  /** A tenant (with an admin) holding a fresh domain verified by the operator, with this join policy. */
  async function tenantWithDomain(name: string, policy: JoinPolicy): Promise<{ tenantId: string; domain: string }> {
    const tenantId = await tenantWith(manage, name, [admin]);
    const domain = `${name.toLowerCase().replace(/\W/g, '')}-${crypto.randomUUID().slice(0, 6)}.example.test`;
    await server().tessera.domains.attest(tenantId, domain, policy);
    return { tenantId, domain };
  }

  /** A person with a verified address at the domain. */
  async function personAt(domain: string, name: string, verified = true): Promise<Person> {
    const email = `${name.toLowerCase()}-${crypto.randomUUID().slice(0, 4)}@${domain}`;
    const password = 'correct horse battery staple';
    const account = await server().tessera.accounts.createAccount({ email, name, password, verified });
    return { id: account.id, email, password };
  }

  /** Signs in through the pages in a new browser, answering each domain join page shown with the next decision. */
  async function signInWith(who: Person, decisions: string[] = []) {
    const browser = new UserAgent(server().url);
    const shown: string[] = [];
    const queue = [...decisions];
    const { tokens } = await signIn(server(), who, {
      browser,
      onPage: async (page) => {
        shown.push(page.html.match(/<h1>([^<]*)<\/h1>/)?.[1] ?? `${page.status} ${page.html.slice(0, 300)}`);
        const decision = queue.shift();
        if (!decision || !JOIN_FORM.test(page.html)) throw new Error(`unexpected page: ${shown.at(-1)}`);
        return browser.submit(page, /\/domain-join$/, { decision });
      },
    });
    return { shown, claims: tokens.claims() as unknown as TenantClaims };
  }

  const isMember = async (tenantId: string, who: Person) =>
    (await call<{ items: unknown[] }>('GET', `/api/tenants/${tenantId}/memberships?account_id=${who.id}`, manage)).body
      .items.length === 1;
  const auditTypes = async (tenantId: string) =>
    (await server().db.read((m) => m.findBy(AuditEvent, { tenantId }))).map((e) => e.type);

  test('suggest: after sign-in the page offers the tenant; joining makes a tenant-user, the active tenant of the tokens, audited; never offered again', async () => {
    const { tenantId, domain } = await tenantWithDomain('Wayne', 'suggest');
    const sue = await personAt(domain, 'Sue');
    const first = await signInWith(sue, ['join']);
    assert.deepEqual(first.shown, ['Join Wayne?']);
    assert.equal(first.claims.active_tenant?.tenant_id, tenantId);
    assert.deepEqual(first.claims.active_tenant?.roles, ['tenant-user']);
    assert.ok(await isMember(tenantId, sue));
    assert.ok((await auditTypes(tenantId)).includes('domain_join.joined'));
    const again = await signInWith(sue);
    assert.deepEqual(again.shown, [], 'a member is not offered the tenant');
  });

  test('suggest: "no, thanks" joins nothing and is remembered: the next sign-in offers nothing', async () => {
    const { tenantId, domain } = await tenantWithDomain('Skipco', 'suggest');
    const sid = await personAt(domain, 'Sid');
    const first = await signInWith(sid, ['skip']);
    assert.deepEqual(first.shown, ['Join Skipco?']);
    assert.deepEqual(first.claims.all_tenants, []);
    assert.equal(await isMember(tenantId, sid), false);
    assert.deepEqual((await signInWith(sid)).shown, []);
  });

  test('auto: the person joins as tenant-user at sign-in without a page, audited with no actor', async () => {
    const { tenantId, domain } = await tenantWithDomain('Autocorp', 'auto');
    const ann = await personAt(domain, 'Ann');
    const { shown, claims } = await signInWith(ann);
    assert.deepEqual(shown, []);
    assert.deepEqual(
      claims.all_tenants.map((t) => [t.tenant_id, t.roles]),
      [[tenantId, ['tenant-user']]],
    );
    assert.equal(claims.active_tenant?.tenant_id, tenantId, 'the only membership is chosen silently');
    const events = await server().db.read((m) => m.findBy(AuditEvent, { tenantId, type: 'domain_join.auto' }));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.subject, ann.id);
    assert.equal(events[0]!.actor, null);
  });

  test('auto: a member an admin removed is not joined again at the next sign-in', async () => {
    const { tenantId, domain } = await tenantWithDomain('Rejoin', 'auto');
    const rex = await personAt(domain, 'Rex');
    await signInWith(rex);
    const membership = (
      await call<{ items: { id: string }[] }>(
        'GET',
        `/api/tenants/${tenantId}/memberships?account_id=${rex.id}`,
        manage,
      )
    ).body.items[0]!;
    assert.equal(
      (await call('DELETE', `/api/tenants/${tenantId}/memberships/${membership.id}`, adminToken)).status,
      204,
    );
    const { claims } = await signInWith(rex);
    assert.deepEqual(claims.all_tenants, []);
  });

  test('request: the person asks, an admin sees it pending and approves; the person is a member, is mailed, and sees the outcome once at the next sign-in', async () => {
    const { tenantId, domain } = await tenantWithDomain('Stark', 'request');
    const ray = await personAt(domain, 'Ray');
    const asked = await signInWith(ray, ['request', 'continue']);
    assert.deepEqual(asked.shown, ['Ask to join Stark?', 'Your request is sent']);
    assert.deepEqual(asked.claims.all_tenants, [], 'not a member while the request waits');
    const pending = await call<{ items: { id: string; account: { id: string; email: string }; status: string }[] }>(
      'GET',
      `/api/tenants/${tenantId}/join-requests`,
      adminToken,
    );
    assert.equal(pending.status, 200);
    assert.equal(pending.body.items.length, 1);
    const request = pending.body.items[0]!;
    assert.equal(request.account.id, ray.id);
    assert.equal(request.account.email, ray.email);
    assert.equal(request.status, 'pending');
    assert.deepEqual((await signInWith(ray)).shown, [], 'a waiting request offers nothing more');

    const approved = await call<{ status: string; decided_by: string }>(
      'POST',
      `/api/tenants/${tenantId}/join-requests/${request.id}/approve`,
      adminToken,
    );
    assert.equal(approved.status, 200);
    assert.equal(approved.body.status, 'approved');
    assert.equal(approved.body.decided_by, admin.id);
    assert.ok(await isMember(tenantId, ray));
    const again = await call('POST', `/api/tenants/${tenantId}/join-requests/${request.id}/deny`, adminToken);
    assert.equal(again.status, 409, 'decided once');
    const [mail] = await mailsTo(server(), ray.email);
    assert.match(mail!.subject, /You have joined Stark/);
    assert.ok((await auditTypes(tenantId)).includes('join_request.approved'));

    const next = await signInWith(ray, ['continue']);
    assert.deepEqual(next.shown, ['You have joined Stark']);
    assert.equal(next.claims.active_tenant?.tenant_id, tenantId);
    assert.deepEqual((await signInWith(ray)).shown, [], 'the outcome is shown once');
  });

  test('request: a denied request is told by mail and at the next sign-in, joins nothing, and is not offered again', async () => {
    const { tenantId, domain } = await tenantWithDomain('Oscorp', 'request');
    const dee = await personAt(domain, 'Dee');
    await signInWith(dee, ['request', 'continue']);
    const [request] = (
      await call<{ items: { id: string }[] }>('GET', `/api/tenants/${tenantId}/join-requests`, adminToken)
    ).body.items;
    assert.equal(
      (await call('POST', `/api/tenants/${tenantId}/join-requests/${request!.id}/deny`, adminToken)).status,
      200,
    );
    assert.equal(await isMember(tenantId, dee), false);
    assert.match((await mailsTo(server(), dee.email))[0]!.subject, /Your request to join Oscorp/);
    const next = await signInWith(dee, ['continue']);
    assert.deepEqual(next.shown, ['Your request to join Oscorp was declined']);
    assert.deepEqual(next.claims.all_tenants, []);
    assert.deepEqual((await signInWith(dee)).shown, []);
    const denied = await call<{ items: unknown[] }>(
      'GET',
      `/api/tenants/${tenantId}/join-requests?status=denied`,
      adminToken,
    );
    assert.equal(denied.body.items.length, 1);
  });

  test('two admins deciding one request at the same moment: one decision wins, the other is 409, one audit event', async () => {
    const { tenantId, domain } = await tenantWithDomain('Raceco', 'request');
    const rae = await personAt(domain, 'Rae');
    const joins = new JoinService(server().db);
    await joins.decide(rae.id, tenantId, 'request');
    const [request] = (
      await call<{ items: { id: string }[] }>('GET', `/api/tenants/${tenantId}/join-requests`, adminToken)
    ).body.items;
    const decided = await Promise.all(
      ['approve', 'deny'].map((action) =>
        call(
          'POST',
          `/api/tenants/${tenantId}/join-requests/${request!.id}/${action}`,
          action === 'approve' ? adminToken : manage,
        ),
      ),
    );
    assert.deepEqual(decided.map((r) => r.status).sort(), [200, 409]);
    const events = (await auditTypes(tenantId)).filter(
      (t) => t === 'join_request.approved' || t === 'join_request.denied',
    );
    assert.equal(events.length, 1);
    assert.equal(await isMember(tenantId, rae), events[0] === 'join_request.approved');
  });

  test('off, an unverified domain, a member already and a deleted tenant offer nothing', async () => {
    const off = await tenantWithDomain('Offco', 'off');
    assert.deepEqual((await signInWith(await personAt(off.domain, 'Otto'))).shown, []);

    const unverifiedTenant = await tenantWith(manage, 'Unverified', [admin]);
    const unverified = `unverified-${crypto.randomUUID().slice(0, 6)}.example.test`;
    await call('POST', `/api/tenants/${unverifiedTenant}/domains`, adminToken, {
      domain: unverified,
      join_policy: 'auto',
    });
    const uma = await personAt(unverified, 'Uma');
    assert.deepEqual((await signInWith(uma)).claims.all_tenants, [], 'an unverified claim joins nobody');

    const member = await tenantWithDomain('Memberco', 'suggest');
    const mo = await personAt(member.domain, 'Mo');
    await server().db.transaction(async (m) => {
      const { insertMembership } = await import('../tenants/service.js');
      await insertMembership(m, member.tenantId, mo.id, ['tenant-user'], null);
    });
    assert.deepEqual((await signInWith(mo)).shown, []);

    const gone = await tenantWithDomain('Goneco', 'auto');
    assert.equal((await call('DELETE', `/api/tenants/${gone.tenantId}`, adminToken)).status, 204);
    assert.deepEqual((await signInWith(await personAt(gone.domain, 'Gil'))).claims.all_tenants, []);
    assert.equal(await server().tessera.domains.ownerOf(gone.domain), undefined);
  });

  test('an unconfirmed e-mail address is never offered anything, and a decision for a tenant not offered is refused', async () => {
    const { tenantId, domain } = await tenantWithDomain('Verifyco', 'suggest');
    const joins = new JoinService(server().db);
    const unconfirmed = await personAt(domain, 'Una', false);
    assert.equal(await joins.stepFor(unconfirmed.id), undefined);
    await assert.rejects(joins.decide(unconfirmed.id, tenantId, 'join'), /not offered/);
    const confirmed = await personAt(domain, 'Cy');
    const other = await tenantWithDomain('Elsewhere', 'suggest');
    await assert.rejects(joins.decide(confirmed.id, other.tenantId, 'join'), /not offered/);
    await assert.rejects(joins.decide(confirmed.id, tenantId, 'request'), /not offered/, 'suggest is not request');
    assert.equal(await joins.decide(confirmed.id, tenantId, 'join'), tenantId);
    await assert.rejects(joins.decide(confirmed.id, tenantId, 'join'), /not offered/, 'once');
    const rows = await server().db.read((m) => m.findBy(JoinRequest, { tenantId }));
    assert.deepEqual(
      rows.map((r) => [r.accountId, r.status]),
      [[confirmed.id, 'joined']],
    );
  });
});
