// The account page's pending invitations (bound to the account's verified e-mail, a proven address or its
// phone) and its other addresses, through HTTP on each database.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { type Person, person } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';
import { AccountEmails } from '../accounts/account-emails.js';
import { Invitation, Membership } from '../db/entities/index.js';
import type { Caller } from '../tenants/access.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };

describeWithServer('pending invitations on the account page', (server: () => TestServer) => {
  let tenantId: string;

  before(async () => {
    tenantId = (await server().tessera.tenants.create(backend, { name: 'Chotchkies' })).id;
  });

  const invite = (email: string, roles = ['tenant-user']) =>
    server().tessera.invitations.create(backend, tenantId, { roles, deliver: 'none', email });
  const invitationRow = (id: string) => server().db.read((m) => m.findOneByOrFail(Invitation, { id }));

  /** Signs in on a new browser (before the invitations exist: the sign-in's own review would show them). */
  async function signedIn(who: Person): Promise<UserAgent> {
    const browser = new UserAgent(server().url);
    const login = await browser.follow('/account');
    await browser.submit(login, /\/login$/, { email: who.email, password: who.password });
    return browser;
  }
  const open = async (browser: UserAgent): Promise<{ browser: UserAgent; page: Page }> => ({
    browser,
    page: await browser.follow('/account'),
  });

  test('the page lists invitations bound to the verified e-mail, with tenant, roles, inviter and expiry; Join uses one', async () => {
    const joanna = await person(server(), 'Joanna');
    const agent = await signedIn(joanna);
    const { id } = await invite(joanna.email, ['tenant-admin']);
    const { browser, page } = await open(agent);
    assert.match(page.html, /Pending invitations/);
    assert.match(page.html, /<strong>Chotchkies<\/strong> — from An administrator, as tenant-admin/);
    assert.match(page.html, /until \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\)/);
    const joined = await browser.submit(page, `/account/invitations/${id}`, { decision: 'accept' });
    assert.match(joined.html, /You joined the tenant/);
    assert.match(joined.html, /No invitations wait for you/);
    assert.equal((await invitationRow(id)).useCount, 1);
    assert.equal(await server().db.read((m) => m.countBy(Membership, { tenantId, accountId: joanna.id })), 1);
  });

  test('Decline ends a bound invitation; an invitation for someone else cannot be decided from this page', async () => {
    const [lumbergh, milton] = await Promise.all([person(server(), 'Lumbergh'), person(server(), 'Milton')]);
    const agent = await signedIn(lumbergh);
    const mine = await invite(lumbergh.email);
    const theirs = await invite(milton.email);
    const { browser, page } = await open(agent);
    assert.ok(!page.html.includes(theirs.id), "another person's invitation is not listed");
    const declined = await browser.submit(page, `/account/invitations/${mine.id}`, { decision: 'decline' });
    assert.match(declined.html, /Invitation declined/);
    assert.equal((await invitationRow(mine.id)).endedReason, 'declined');
    const form = /name="_csrf" value="([^"]+)"/.exec(declined.html)![1]!;
    const forged = await browser.request(`/account/invitations/${theirs.id}`, {
      form: { _csrf: form, decision: 'accept' },
    });
    assert.equal(forged.status, 400);
    assert.match(forged.html, /That invitation is not waiting for you/);
    assert.equal((await invitationRow(theirs.id)).useCount, 0);
    const odd = await browser.request('/account/invitations/not-an-id', { form: { _csrf: form, decision: 'accept' } });
    assert.equal(odd.status, 400);
  });

  test('an invitation bound to a proven address is listed; removing the address removes it from the list', async () => {
    const nina = await person(server(), 'Nina');
    const other = `nina-work-${crypto.randomUUID().slice(0, 8)}@example.test`;
    await server().db.transaction((m) => new AccountEmails(server().db).addProven(m, nina.id, other));
    const agent = await signedIn(nina);
    const { id } = await invite(other);
    const { browser, page } = await open(agent);
    assert.match(page.html, new RegExp(`/account/invitations/${id}`));
    assert.match(page.html, /Other addresses/);
    assert.match(page.html, new RegExp(other));
    const removed = await browser.submit(page, '/account/addresses/remove', { email: other });
    assert.match(removed.html, /The address is removed from your account/);
    assert.ok(!removed.html.includes(id), 'no longer listed');
    assert.equal(await server().tessera.redemption.isPendingFor(nina.id, id), false);
  });

  test('an invitation that stopped being usable since the page showed it gets a friendly refusal, not a 500', async () => {
    const samir = await person(server(), 'Samir');
    const agent = await signedIn(samir);
    const { id } = await invite(samir.email);
    const { browser, page } = await open(agent);
    await server().tessera.invitations.revoke(backend, tenantId, id);
    const refused = await browser.submit(page, `/account/invitations/${id}`, { decision: 'accept' });
    assert.equal(refused.status, 400, 'no longer waiting for this account');
    assert.equal((await invitationRow(id)).useCount, 0);
  });
});
