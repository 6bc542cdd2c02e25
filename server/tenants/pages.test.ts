// The tenant admin page through HTTP: sign-in round trip, access rules, changes through forms.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { type Person, person } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';
import { insertMembership } from './service.js';

describeWithServer('tenant admin page', (server: () => TestServer) => {
  let tenantId: string;
  let admin: Person;
  let member: Person;
  let stranger: Person;
  let memberMembership: string;
  let adminMembership: string;

  before(async () => {
    tenantId = (
      await server().tessera.tenants.create({ kind: 'client', clientId: 't', manage: true }, { name: 'Initech' })
    ).id;
    [admin, member, stranger] = await Promise.all([
      person(server(), 'Admin'),
      person(server(), 'Milton'),
      person(server(), 'Stranger'),
    ]);
    await server().db.transaction(async (m) => {
      adminMembership = (await insertMembership(m, tenantId, admin.id, ['tenant-admin'], null)).id;
      memberMembership = (await insertMembership(m, tenantId, member.id, ['tenant-user'], null)).id;
    });
  });

  /** Opens the page as `who`: follows the redirect through sign-in and back. */
  async function open(who: Person, path = `/tenants/${tenantId}/manage`): Promise<{ browser: UserAgent; page: Page }> {
    const browser = new UserAgent(server().url);
    let page = await browser.follow(path);
    if (/action="\/interaction\/[^"]+\/login"/.test(page.html))
      page = await browser.submit(page, /\/login$/, { email: who.email, password: who.password });
    return { browser, page };
  }

  test('a person who is not signed in is sent through sign-in and comes back to the page', async () => {
    const browser = new UserAgent(server().url);
    const first = await browser.request(`/tenants/${tenantId}/manage`);
    assert.equal(first.status, 302);
    assert.match(first.location!, /\/auth\?client_id=tessera-internal/);
    const { page } = await open(admin);
    assert.equal(page.status, 200);
    assert.match(page.html, /<h1>Initech<\/h1>/);
    assert.match(page.html, new RegExp(member.email));
  });

  test("the admin changes a member's roles through the form; the page confirms it", async () => {
    const { browser, page } = await open(admin);
    const saved = await browser.submit(page, `/tenants/${tenantId}/manage/members/${memberMembership}/roles`, {
      roles: 'tenant-admin',
    });
    assert.match(saved.html, /The roles are saved/);
    const roles = await server().tessera.tenants.listRoles({ kind: 'client', clientId: 't', manage: true }, tenantId);
    assert.ok(roles.length >= 2);
    const after = await browser.follow(`/tenants/${tenantId}/manage`);
    const form = new RegExp(`members/${memberMembership}/roles[\\s\\S]*?value="tenant-admin" checked`);
    assert.match(after.html, form);
    await browser.submit(after, `/tenants/${tenantId}/manage/members/${memberMembership}/roles`, {
      roles: 'tenant-user',
    });
  });

  test('demoting the last admin is refused on the page with the reason, and nothing changes', async () => {
    const { browser, page } = await open(admin);
    const refused = await browser.submit(page, `/tenants/${tenantId}/manage/members/${adminMembership}/roles`, {
      roles: 'tenant-user',
    });
    assert.equal(refused.status, 409);
    assert.match(refused.html, /last tenant-admin/);
    const level = await server().tessera.tenants.levelOf(
      { kind: 'user', accountId: admin.id, scopes: new Set(['tenants:admin']) },
      tenantId,
    );
    assert.equal(level, 'admin');
  });

  test('the admin adds a custom role and removes it again', async () => {
    const { browser, page } = await open(admin);
    const added = await browser.submit(page, `/tenants/${tenantId}/manage/roles`, {
      name: 'auditor',
      description: 'Reads the books',
    });
    assert.match(added.html, /The role is added/);
    assert.match(added.html, /auditor<\/strong> — Reads the books/);
    const removed = await browser.submit(added, `/tenants/${tenantId}/manage/roles/auditor/remove`);
    assert.match(removed.html, /The role is removed/);
  });

  test('the admin issues an invitation link (shown once, in the answer to the POST), sees it pending, and revokes it', async () => {
    const { browser, page } = await open(admin);
    const issued = await browser.submit(page, `/tenants/${tenantId}/manage/invitations`, {
      roles: 'tenant-user',
      days: '3',
      uses: '2',
      email: '',
    });
    assert.equal(issued.status, 200);
    const link = /id="issued-link" type="text" readonly value="([^"]+)"/.exec(issued.html)?.[1];
    assert.ok(link?.startsWith(`${server().url}/tenants/invitation-tokens/`), 'the link is built from the issuer');
    assert.match(issued.html, /pending<\/span> <span class="muted">\(0 of 2 used\)/);
    const again = await browser.follow(`/tenants/${tenantId}/manage`);
    assert.ok(!again.html.includes(link!.split('/').pop()!), 'the link is not shown again');
    const revoked = await browser.submit(again, /\/invitations\/[0-9a-f-]+\/revoke$/);
    assert.match(revoked.html, /The invitation is revoked/);
    assert.match((await new UserAgent(server().url).request(link!)).html, /was withdrawn/);
  });

  test('an invitation to an e-mail address is mailed, and its link never appears on the page', async () => {
    const { browser, page } = await open(admin);
    const issued = await browser.submit(page, `/tenants/${tenantId}/manage/invitations`, {
      roles: 'tenant-user',
      days: '7',
      uses: '1',
      email: 'newhire@example.test',
    });
    assert.match(issued.html, /was e-mailed to newhire@example.test/);
    assert.doesNotMatch(issued.html, /invitation-tokens\//);
  });

  test('a form body the page does not send is a 400 and changes nothing', async () => {
    const { browser, page } = await open(admin);
    const backend = { kind: 'client' as const, clientId: 't', manage: true };
    const invitationsBefore = (await server().tessera.invitations.list(backend, tenantId, { limit: 100 })).items.length;
    const refused = [
      await browser.submit(page, `/tenants/${tenantId}/manage/members/${memberMembership}/roles`, {
        roles: 'tenant-admin',
        admin: 'yes',
      }),
      await browser.submit(page, `/tenants/${tenantId}/manage/members/${memberMembership}/remove`, { really: 'yes' }),
      await browser.submit(page, `/tenants/${tenantId}/manage/roles`, { name: 'auditor2', colour: 'red' }),
      await browser.submit(page, `/tenants/${tenantId}/manage/invitations`, {
        roles: 'tenant-user',
        days: '3',
        uses: '1',
        email: '',
        deliver: 'sms',
      }),
    ];
    assert.deepEqual(
      refused.map((r) => r.status),
      [400, 400, 400, 400],
    );
    const roles = await server().tessera.tenants.listRoles(backend, tenantId);
    assert.ok(!roles.some((r) => r.name === 'auditor2'), 'no role was added');
    const after = await browser.follow(`/tenants/${tenantId}/manage`);
    const form = new RegExp(`members/${memberMembership}/roles"[\\s\\S]*?</form>`).exec(after.html)?.[0] ?? '';
    assert.match(form, /value="tenant-user" checked/, 'the member keeps their roles');
    assert.doesNotMatch(form, /value="tenant-admin" checked/);
    assert.equal(
      (await server().tessera.invitations.list(backend, tenantId, { limit: 100 })).items.length,
      invitationsBefore,
      'no invitation was issued',
    );
  });

  test('a typing mistake in the invitation form is shown on the form, with a 400', async () => {
    const { browser, page } = await open(admin);
    const mistaken = await browser.submit(page, `/tenants/${tenantId}/manage/invitations`, {
      roles: 'tenant-user',
      days: '99',
      uses: '1',
      email: '',
    });
    assert.equal(mistaken.status, 400);
    assert.match(mistaken.html, /1 to 30 days/);
    assert.doesNotMatch(mistaken.html, /id="issued-link"/);
  });

  test('a tenant-user gets 403, a stranger 404, and a malformed id 404', async () => {
    assert.equal((await open(member)).page.status, 403);
    assert.equal((await open(stranger)).page.status, 404);
    assert.equal((await open(admin, '/tenants/not-a-uuid/manage')).page.status, 404);
  });

  test('a change posted without the CSRF token is refused', async () => {
    const { browser } = await open(admin);
    const res = await browser.request(`/tenants/${tenantId}/manage/members/${memberMembership}/remove`, {
      method: 'POST',
      form: {},
    });
    assert.equal(res.status, 403);
  });

  test('cancelling the sign-in the page started shows a cancelled page instead of starting over', async () => {
    const browser = new UserAgent(server().url);
    const login = await browser.follow(`/tenants/${tenantId}/manage`);
    const cancelled = await browser.submit(login, /\/abort$/);
    assert.equal(cancelled.status, 200);
    assert.match(cancelled.html, /Sign-in cancelled/);
  });

  test('the return address after sign-in must be on this server', async () => {
    const browser = new UserAgent(server().url);
    const res = await browser.request('/signed-in?state=x');
    assert.equal(res.status, 400);
    assert.equal(res.location, undefined);
  });
});
