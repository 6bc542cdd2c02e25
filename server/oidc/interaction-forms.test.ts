// The forms of the invitation and tenant pages inside a sign-in are parsed whole: a body the page would
// never send is 400 and changes nothing (a missing decision once declined, and ended, a bound invitation).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Invitation, InvitationRedemption, Membership, Tenant } from '../db/entities/index.js';
import type { Caller } from '../tenants/access.js';
import { insertMembership } from '../tenants/service.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { pageAfterSignIn, type Person, person } from '../../test/support/tokens.js';
import { findForm, type Page, type UserAgent } from '../../test/support/user-agent.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };

describeWithServer('forms of the invitation and tenant pages', (server: () => TestServer) => {
  let tenantId: string;

  before(async () => {
    tenantId = (await server().tessera.tenants.create(backend, { name: 'Forms Inc' })).id;
  });

  const signedInPage = (who: Person, params: Record<string, string> = {}) => pageAfterSignIn(server(), who, { params });

  /** Posts to a page's form with its CSRF token and exactly `fields` besides. */
  const post = (browser: UserAgent, page: Page, action: RegExp, fields: Record<string, string>) => {
    const form = findForm(page.html, action);
    return browser.request(new URL(form.action, page.url).href, { form: { _csrf: form.hidden._csrf!, ...fields } });
  };

  const state = (id: string) =>
    server().db.read(async (m) => ({
      invitation: JSON.stringify(await m.findOneByOrFail(Invitation, { id })),
      decisions: await m.countBy(InvitationRedemption, { invitationId: id }),
      members: await m.countBy(Membership, { tenantId }),
      tenants: await m.count(Tenant),
    }));

  test('the review of bound invitations: a body without a decision, or with an unknown one, a bad id or an extra field, is 400 and the invitation stays pending', async () => {
    const rae = await person(server(), 'Rae');
    const { id } = await server().tessera.invitations.create(backend, tenantId, {
      roles: ['tenant-user'],
      deliver: 'none',
      email: rae.email,
    });
    const { browser, page } = await signedInPage(rae);
    assert.match(page.html, /You have invitations/);
    const before = await state(id);
    const bad: Record<string, string>[] = [
      { invitation_id: id },
      { decision: 'maybe', invitation_id: id },
      { decision: 'accept', invitation_id: 'not-a-uuid' },
      { decision: 'decline' },
      { decision: 'decline', invitation_id: id, tenant_id: tenantId },
    ];
    for (const fields of bad) {
      const answer = await post(browser, page, /\/review$/, fields);
      assert.equal(answer.status, 400, `${JSON.stringify(fields)} -> ${answer.status}`);
    }
    assert.deepEqual(await state(id), before);
    const later = await post(browser, page, /\/review$/, { decision: 'later' });
    assert.equal(later.status, 303, 'the page still works');
  });

  test("the invitation in an app's sign-in: a body without a decision, or with a bad id, is 400 and nothing changes", async () => {
    const vic = await person(server(), 'Vic');
    const { id, token } = await server().tessera.invitations.create(backend, tenantId, {
      roles: ['tenant-user'],
      deliver: 'none',
    });
    const { browser, page } = await signedInPage(vic, { invitation: token! });
    assert.match(page.html, /You are invited to join Forms Inc/);
    const before = await state(id);
    const bad: Record<string, string>[] = [
      { invitation_id: id },
      { decision: 'accept', invitation_id: 'x' },
      { decision: 'skip', invitation_id: id, extra: '1' },
    ];
    for (const fields of bad) {
      assert.equal((await post(browser, page, /\/invitation$/, fields)).status, 400, JSON.stringify(fields));
    }
    assert.deepEqual(await state(id), before);
  });

  test("select and create tenant: a body that is not the page's form is 400 and nothing is chosen or created", async () => {
    const two = await person(server(), 'Two');
    const other = (await server().tessera.tenants.create(backend, { name: 'Forms Other' })).id;
    await server().db.transaction(async (m) => {
      await insertMembership(m, tenantId, two.id, ['tenant-user'], null);
      await insertMembership(m, other, two.id, ['tenant-user'], null);
    });
    const { browser, page } = await signedInPage(two);
    assert.match(page.html, /Choose an organisation/);
    const bad: Record<string, string>[] = [{}, { tenant_id: 'acme' }, { tenant_id: other, extra: '1' }];
    for (const fields of bad) {
      assert.equal((await post(browser, page, /\/select-tenant$/, fields)).status, 400, JSON.stringify(fields));
    }
    const chosen = await post(browser, page, /\/select-tenant$/, { tenant_id: other });
    assert.equal(chosen.status, 303, 'the page still works');
  });
});

describeWithServer(
  'the create-tenant form',
  (server: () => TestServer) => {
    test('a body that is neither a name nor "skip" is 400 and no tenant is created', async () => {
      const founder = await person(server(), 'Founder');
      const { browser, page } = await pageAfterSignIn(server(), founder);
      assert.match(page.html, /Create your organisation/);
      const csrf = findForm(page.html, /\/create-tenant$/).hidden._csrf!;
      const action = new URL(findForm(page.html, /\/create-tenant$/).action, page.url).href;
      const count = () => server().db.read((m) => m.count(Tenant));
      const before = await count();
      const bad: Record<string, string>[] = [{}, { skip: 'no' }, { name: '' }, { name: 'Ok', skip: 'yes' }];
      for (const fields of bad) {
        assert.equal(
          (await browser.request(action, { form: { _csrf: csrf, ...fields } })).status,
          400,
          JSON.stringify(fields),
        );
      }
      assert.equal(await count(), before);
    });
  },
  { TENANT_SELF_SERVICE: 'true' },
);
