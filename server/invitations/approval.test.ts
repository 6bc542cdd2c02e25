// Second-admin approval through HTTP, on each database: awaiting invitations carry no token and cannot be
// redeemed; another tenant-admin approves (delivery happens then) or rejects; the creator and backends cannot;
// two decisions at once end in exactly one.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { AuditEvent, Invitation, OutboxMessage } from '../db/entities/index.js';
import { insertMembership } from '../tenants/service.js';
import { eventOfAudit } from '../webhooks/events.js';
import { apiClient } from '../../test/support/api.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, person, userToken } from '../../test/support/tokens.js';
import { InvitationRefused } from './redemption.js';
import type { IssuedInvitation } from './service.js';
import { tokenForRow } from './token.js';

type View = IssuedInvitation & { error?: string };

describeWithServer('Invitations: second-admin approval', (server: () => TestServer) => {
  const { call, tenantWith } = apiClient(server);
  let manage: string;
  let ada: Person;
  let ben: Person;
  let adaToken: string;
  let benToken: string;
  let invitee: Person;

  const base = (tenantId: string) => `/api/tenants/${tenantId}/invitations/tokens`;
  const decide = (tenantId: string, id: string, what: 'approve' | 'reject', token: string) =>
    call<View>('POST', `${base(tenantId)}/${id}/${what}`, token);

  /** A tenant with two admins whose policy wants approval for `tenant-admin`. */
  async function guardedTenant(name: string): Promise<string> {
    const tenantId = await tenantWith(manage, name, [ada, ben]);
    const policy = { approval_roles: ['tenant-admin'] };
    assert.equal((await call('PUT', `/api/tenants/${tenantId}/invitation-policy`, adaToken, policy)).status, 200);
    return tenantId;
  }
  const awaiting = async (tenantId: string, body: Record<string, unknown> = {}) => {
    const res = await call<View>('POST', base(tenantId), adaToken, { roles: ['tenant-admin'], ...body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const audit = (tenantId: string, type: string) =>
    server().db.read((m) => m.find(AuditEvent, { where: { tenantId, type } }));

  before(async () => {
    manage = await clientToken(server(), { manage: true });
    [ada, ben, invitee] = await Promise.all(['Ada', 'Ben', 'Ina'].map((n) => person(server(), n)));
    [adaToken, benToken] = await Promise.all([ada, ben].map((p) => userToken(server(), p)));
  });

  test('an invitation for a guarded role waits: no token, no mail, listed as awaiting_approval, audited', async () => {
    const tenantId = await guardedTenant('Waiting Inc');
    const inv = await awaiting(tenantId, { email: 'new-admin@example.test', deliver: 'email' });
    assert.equal(inv.status, 'awaiting_approval');
    assert.ok(!inv.token && !inv.url);
    const mails = await server().db.read((m) => m.countBy(OutboxMessage, { recipient: 'new-admin@example.test' }));
    assert.equal(mails, 0, 'nothing is delivered before approval');
    const listed = await call<{ items: View[] }>('GET', `${base(tenantId)}?status=awaiting_approval`, benToken);
    assert.deepEqual(
      listed.body.items.map((i) => i.id),
      [inv.id],
    );
    const pending = await call<{ items: View[] }>('GET', `${base(tenantId)}?status=pending`, benToken);
    assert.equal(pending.body.items.length, 0);
    assert.equal((await audit(tenantId, 'invitation.approval_requested')).length, 1);
    const resent = await call('POST', `${base(tenantId)}/${inv.id}/resend`, adaToken);
    assert.equal(resent.status, 409, 'no resending what was never sent');
  });

  test('another admin approves: the mail goes out now, approved_by is set, the validity counts from approval', async () => {
    const tenantId = await guardedTenant('Approved Inc');
    const inv = await awaiting(tenantId, { email: 'approved@example.test', deliver: 'email', expires_in: 3600 });
    const approved = await decide(tenantId, inv.id, 'approve', benToken);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, 'pending');
    assert.equal(approved.body.approved_by, ben.id);
    assert.ok(!approved.body.token, 'a mailed invitation shows no token to the approver');
    const validity = Date.parse(approved.body.expires_at) - Date.parse(approved.body.approved_at!);
    assert.equal(validity, 3600 * 1000);
    const mails = await server().db.read((m) => m.findBy(OutboxMessage, { recipient: 'approved@example.test' }));
    assert.equal(mails.length, 1);
    assert.match(mails[0]!.subject, /Ada invited you/, 'the creator is named as the inviter');
    assert.equal((await audit(tenantId, 'invitation.approved')).length, 1);
    assert.equal((await decide(tenantId, inv.id, 'approve', benToken)).status, 409, 'approved once only');
  });

  test('deliver=none: the approver receives the link, once; it works', async () => {
    const tenantId = await guardedTenant('Link Inc');
    const inv = await awaiting(tenantId);
    const approved = await decide(tenantId, inv.id, 'approve', benToken);
    assert.ok(approved.body.url, JSON.stringify(approved.body));
    assert.equal(approved.headers.get('cache-control'), 'no-store');
    const decided = await server().tessera.redemption.accept({ token: approved.body.token! }, invitee.id);
    assert.equal(decided.outcome, 'joined');
  });

  test('the creator may not approve their own (self_approval), nor may a backend or a plain member', async () => {
    const tenantId = await guardedTenant('Self Inc');
    const inv = await awaiting(tenantId);
    const self = await decide(tenantId, inv.id, 'approve', adaToken);
    assert.equal(self.status, 403);
    assert.equal(self.body.error, 'self_approval');
    assert.equal((await decide(tenantId, inv.id, 'reject', adaToken)).body.error, 'self_approval');
    const backend = await decide(tenantId, inv.id, 'approve', manage);
    assert.equal(backend.status, 403);
    assert.equal(backend.body.error, 'approver_not_admin');
    // A backend's own invitation still waits for a person.
    const fromBackend = await call<View>('POST', base(tenantId), manage, { roles: ['tenant-admin'] });
    assert.equal(fromBackend.body.status, 'awaiting_approval');
    assert.equal((await decide(tenantId, fromBackend.body.id, 'approve', adaToken)).status, 200);
  });

  test('reject: the invitation ends revoked and is never delivered; audited', async () => {
    const tenantId = await guardedTenant('Rejected Inc');
    const inv = await awaiting(tenantId, { email: 'rejected@example.test', deliver: 'email' });
    assert.equal((await decide(tenantId, inv.id, 'reject', benToken)).status, 204);
    const read = await call<View>('GET', `${base(tenantId)}/${inv.id}`, benToken);
    assert.equal(read.body.status, 'revoked');
    assert.equal((await decide(tenantId, inv.id, 'approve', benToken)).status, 409);
    assert.equal(await server().db.read((m) => m.countBy(OutboxMessage, { recipient: 'rejected@example.test' })), 0);
    const [rejected] = await audit(tenantId, 'invitation.rejected');
    assert.equal(rejected?.actor, ben.id);
    const event = eventOfAudit({ type: 'invitation.rejected', tenantId, subject: inv.id, actor: ben.id });
    assert.equal(event?.type, 'invitation.revoked', 'webhooks hear a rejection as a revocation');
    assert.equal(event?.data.reason, 'rejected');
  });

  test('an awaiting invitation cannot be redeemed, even with a token forged for its row', async () => {
    const tenantId = await guardedTenant('Forged Inc');
    const inv = await awaiting(tenantId);
    const row = await server().db.read((m) => m.findOneByOrFail(Invitation, { id: inv.id }));
    const token = tokenForRow(server().tessera.keys, server().url, row);
    await assert.rejects(server().tessera.redemption.accept({ token }, invitee.id), InvitationRefused);
    const after = await server().db.read((m) => m.findOneByOrFail(Invitation, { id: inv.id }));
    assert.equal(after.useCount, 0);
  });

  test('race: approve and reject at once, approve twice at once: exactly one decision counts', async () => {
    const tenantId = await guardedTenant('Race Inc');
    const carl = await person(server(), 'Carl');
    await server().db.transaction((m) => insertMembership(m, tenantId, carl.id, ['tenant-admin'], null));
    const carlToken = await userToken(server(), carl);
    for (const [first, second] of [
      ['approve', 'reject'],
      ['approve', 'approve'],
    ] as const) {
      const inv = await awaiting(tenantId);
      const results = await Promise.all([
        decide(tenantId, inv.id, first, benToken),
        decide(tenantId, inv.id, second, carlToken),
      ]);
      const statuses = results.map((r) => r.status).sort();
      assert.equal(statuses.filter((s) => s === 200 || s === 204).length, 1, `${first}/${second}: ${statuses}`);
      assert.equal(statuses.filter((s) => s === 409).length, 1, `${first}/${second}: ${statuses}`);
    }
  });

  test('race: approve and revoke at once end revoked, and a link the approval handed out does not work', async () => {
    const tenantId = await guardedTenant('Revoke Race Inc');
    const inv = await awaiting(tenantId);
    const [approved, revoked] = await Promise.all([
      decide(tenantId, inv.id, 'approve', benToken),
      call('DELETE', `${base(tenantId)}/${inv.id}`, adaToken),
    ]);
    assert.equal(revoked.status, 204);
    assert.ok([200, 409].includes(approved.status), String(approved.status));
    assert.equal((await call<View>('GET', `${base(tenantId)}/${inv.id}`, adaToken)).body.status, 'revoked');
    if (approved.body.token)
      await assert.rejects(server().tessera.redemption.accept({ token: approved.body.token }, invitee.id));
  });

  test('race: acceptance while another admin approves again: one membership, the approved link keeps working', async () => {
    const tenantId = await guardedTenant('Accept Race Inc');
    const carl = await person(server(), 'Carl');
    await server().db.transaction((m) => insertMembership(m, tenantId, carl.id, ['tenant-admin'], null));
    const carlToken = await userToken(server(), carl);
    const inv = await awaiting(tenantId);
    const approved = await decide(tenantId, inv.id, 'approve', benToken);
    const [accepted, again] = await Promise.allSettled([
      server().tessera.redemption.accept({ token: approved.body.token! }, invitee.id),
      decide(tenantId, inv.id, 'approve', carlToken),
    ]);
    assert.equal(accepted.status, 'fulfilled', 'a second approval never re-issues the token under the invitee');
    assert.equal(again.status === 'fulfilled' && again.value.status, 409);
    const view = await call<View>('GET', `${base(tenantId)}/${inv.id}`, adaToken);
    assert.equal(view.body.status, 'accepted');
    assert.equal(view.body.approved_by, ben.id);
  });
});
