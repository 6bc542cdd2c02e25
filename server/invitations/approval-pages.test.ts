// The admin page's side of guardrails and approval, through HTTP: the invitation policy form, an awaiting
// invitation (Approve and Reject for another admin only), approving shows a link once, forms need CSRF.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { parseInvitationPolicy } from '../tenants/invitation-policy.js';
import { insertMembership } from '../tenants/service.js';
import { Invitation, Tenant } from '../db/entities/index.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { type Person, person } from '../../test/support/tokens.js';
import { openSignedIn } from '../../test/support/user-agent.js';

describeWithServer('admin page: invitation policy and approval', (server: () => TestServer) => {
  let tenantId: string;
  let ada: Person;
  let ben: Person;
  const home = () => `/tenants/${tenantId}/manage`;

  before(async () => {
    const backend = { kind: 'client', clientId: 't', manage: true } as const;
    tenantId = (await server().tessera.tenants.create(backend, { name: 'Approvals Ltd' })).id;
    [ada, ben] = await Promise.all([person(server(), 'Ada'), person(server(), 'Ben')]);
    await server().db.transaction(async (m) => {
      await insertMembership(m, tenantId, ada.id, ['tenant-admin'], null);
      await insertMembership(m, tenantId, ben.id, ['tenant-admin'], null);
    });
  });

  const open = (who: Person) => openSignedIn(server().url, home(), who);
  const storedPolicy = async () =>
    parseInvitationPolicy(
      (await server().db.read((m) => m.findOneByOrFail(Tenant, { id: tenantId }))).invitationPolicy,
    );

  test('the policy form: ticking exactly the default multi-use roles keeps the default (null); approval roles are stored', async () => {
    const { browser, page } = await open(ada);
    assert.match(page.html, /value="tenant-user" checked/);
    const saved = await browser.submit(page, `${home()}/invitation-policy`, {
      multi_use_roles: 'tenant-user',
      approval_roles: 'tenant-admin',
    });
    assert.match(saved.html, /The invitation policy is saved/);
    assert.deepEqual(await storedPolicy(), { multi_use_roles: null, approval_roles: ['tenant-admin'] });
  });

  test('the creator sees their awaiting invitation without Approve; another admin approves it and sees the link once', async () => {
    const asker = await open(ada);
    const asked = await asker.browser.submit(asker.page, `${home()}/invitations`, {
      roles: 'tenant-admin',
      days: '7',
      uses: '1',
      email: '',
    });
    assert.match(asked.html, /waits for another tenant-admin/);
    assert.doesNotMatch(asked.html, /\/approve"/);
    assert.match(asked.html, /another admin must approve/);

    const approver = await open(ben);
    const approveAction = /action="([^"]+\/approve)"/.exec(approver.page.html)?.[1];
    assert.ok(approveAction, 'Ben gets an Approve button');
    const approved = await approver.browser.submit(approver.page, approveAction);
    assert.equal(approved.status, 200);
    assert.match(approved.html, /id="issued-link"[^>]*value="[^"]*\/tenants\/invitation-tokens\//);
    const again = await approver.browser.follow(home());
    assert.doesNotMatch(again.html, /issued-link/, 'shown once');
    assert.doesNotMatch(again.html, /\/approve"/);
  });

  test('another admin rejects from the page; a form without the CSRF token is refused', async () => {
    const asker = await open(ada);
    await asker.browser.submit(asker.page, `${home()}/invitations`, { roles: 'tenant-admin', days: '7', uses: '1' });
    const approver = await open(ben);
    const rejectAction = /action="([^"]+\/reject)"/.exec(approver.page.html)?.[1];
    assert.ok(rejectAction);
    const forged = await approver.browser.request(new URL(rejectAction, server().url).href, {
      method: 'POST',
      form: { nothing: '' },
    });
    assert.equal(forged.status, 403);
    const rejected = await approver.browser.submit(approver.page, rejectAction);
    assert.match(rejected.html, /The invitation is rejected/);
  });

  test('the invitation form gives access for a number of days; a bad number is shown on the form and creates nothing', async () => {
    const { browser, page } = await open(ben);
    const created = await browser.submit(page, `${home()}/invitations`, {
      roles: 'tenant-user',
      days: '7',
      uses: '1',
      access_days: '30',
    });
    assert.match(created.html, /access for 30 days/);
    const rows = await server().db.read((m) => m.findBy(Invitation, { tenantId, accessExpiresIn: 30 * 24 * 3600 }));
    assert.equal(rows.length, 1);
    const bad = await browser.submit(page, `${home()}/invitations`, {
      roles: 'tenant-user',
      days: '7',
      uses: '1',
      access_days: '0',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /How long access lasts must be a whole number of days/);
    const after = await server().db.read((m) => m.countBy(Invitation, { tenantId, createdBy: ben.id }));
    assert.equal(after, 1);
  });
});
