// Invitation-only sign-up and the terms of service, through the real pages on each database: every way a
// sign-in creates an account (the registration form, a new phone number, a first sign-in through a global
// connection) is refused politely without a valid invitation and works with one; the terms checkbox is
// required and recorded; nothing is written before the final sign-up POST.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Account, AuditEvent, Credential } from '../db/entities/index.js';
import type { Caller } from '../tenants/access.js';
import { appLoginPage, registrationFormThroughInvitation } from '../../test/support/accounts.js';
import { FEDERATION_ENV, connectTo, startAppSignIn, viaUpstream } from '../../test/support/federation.js';
import { askPhoneCode, newPhoneNumber, textedCode } from '../../test/support/phones.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { firstPartyApp } from '../../test/support/tokens.js';
import { startOidcUpstream, type Upstream } from '../../test/support/upstream.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };
const TERMS = { TERMS_URL: 'https://example.com/terms', TERMS_VERSION: '2026-01' };
const refusedPolitely = (page: Page) => {
  assert.equal(page.status, 403, page.html.slice(0, 300));
  assert.match(page.html, /Sign-up here is by invitation only/);
};

describeWithServer(
  'invitation-only sign-up and the terms of service',
  (server: () => TestServer) => {
    let tenantId: string;
    let up: Upstream;
    const accountsWith = (email: string) => server().db.read((m) => m.countBy(Account, { email }));

    before(async () => {
      tenantId = (await server().tessera.tenants.create(backend, { name: 'Initech' })).id;
      up = await startOidcUpstream(
        ['global-idp', 'tenant-idp'].map((slug) => `${server().url}/connections/${slug}/callback`),
      );
      await connectTo(server(), up, { slug: 'global-idp' });
      await connectTo(server(), up, { slug: 'tenant-idp', tenantId });
    });
    after(() => up.close());

    /** The registration form reached from a new invitation's landing page ("Create an account"). */
    async function registrationThroughInvitation(browser = new UserAgent(server().url)) {
      const { url } = await server().tessera.invitations.create(backend, tenantId, {
        roles: ['tenant-user'],
        deliver: 'none',
      });
      return registrationFormThroughInvitation(browser, url!);
    }

    test('without an invitation the sign-in page offers no sign-up, and the registration form and its POST are refused politely', async () => {
      const browser = new UserAgent(server().url);
      const login = await appLoginPage(server(), await firstPartyApp(server()), browser);
      assert.equal(login.status, 200);
      assert.doesNotMatch(login.html, /\/register"/);
      const uid = /\/interaction\/([^/"]+)\/login/.exec(login.html)![1]!;
      refusedPolitely(await browser.request(`/interaction/${uid}/register`));
      const csrf = /name="_csrf" value="([^"]+)"/.exec(login.html)![1]!;
      const email = `nobody-${crypto.randomUUID()}@example.com`;
      const posted = await browser.request(`/interaction/${uid}/register`, {
        form: { _csrf: csrf, name: 'Nobody', email, password: 'correct horse battery', terms: 'accepted' },
      });
      refusedPolitely(posted);
      assert.equal(await accountsWith(email), 0);
    });

    test('a new phone number without an invitation is refused after its code, and no account holds it', async () => {
      const browser = new UserAgent(server().url);
      const login = await appLoginPage(server(), await firstPartyApp(server()), browser);
      const phone = newPhoneNumber();
      const enter = await askPhoneCode(browser, login, phone);
      const code = await textedCode(server(), phone, 'sign_up');
      refusedPolitely(await browser.submit(enter, /\/phone\/verify$/, { code }));
      assert.equal(await server().db.read((m) => m.countBy(Credential, { type: 'phone', identifier: phone })), 0);
    });

    test('a first sign-in through a global connection without an invitation creates no account', async () => {
      up.people.set('newcomer', { email: 'newcomer@upstream.test', email_verified: true, name: 'Newcomer' });
      const browser = new UserAgent(server().url);
      const { page } = await startAppSignIn(server(), browser);
      refusedPolitely(await viaUpstream(browser, page, '/connection/global-idp', 'newcomer'));
      assert.equal(await accountsWith('newcomer@upstream.test'), 0);
    });

    test('the first operator’s setup page offers sign-in only (its account comes from the bootstrap settings or the CLI)', async () => {
      const link = await server().tessera.operators.issueSetupLink();
      const page = await new UserAgent(server().url).request(link.url);
      assert.equal(page.status, 200);
      assert.match(page.html, /Sign in/);
      assert.doesNotMatch(page.html, /screen=register/);
    });

    test('through an invitation the form shows the terms; abandoning it or leaving the box unticked writes nothing', async () => {
      const form = await registrationThroughInvitation();
      assert.equal(form.status, 200, form.html.slice(0, 300));
      assert.match(form.html, /type="checkbox" name="terms" value="accepted" required/);
      assert.match(form.html, /href="https:\/\/example.com\/terms"/);
      const email = `unticked-${crypto.randomUUID()}@example.com`;
      assert.equal(await accountsWith(email), 0, 'showing the form created nothing');
      const browser = new UserAgent(server().url);
      const again = await registrationThroughInvitation(browser);
      const unticked = await browser.submit(again, /\/register$/, {
        name: 'Pat',
        email,
        password: 'correct horse battery',
      });
      assert.equal(unticked.status, 400);
      assert.match(unticked.html, /Please accept the terms of service/);
      assert.equal(await accountsWith(email), 0);
    });

    test('through an invitation, accepting the terms creates the account with their version and the time', async () => {
      const browser = new UserAgent(server().url);
      const form = await registrationThroughInvitation(browser);
      const email = `invited-${crypto.randomUUID()}@example.com`;
      const started = Date.now() - 1000;
      const done = await browser.submit(form, /\/register$/, {
        name: 'Pat Invited',
        email,
        password: 'correct horse battery',
        terms: 'accepted',
      });
      assert.equal(done.status, 200, done.html.slice(0, 300));
      const account = await server().db.read((m) => m.findOneByOrFail(Account, { email }));
      assert.equal(account.termsVersion, '2026-01');
      assert.ok(account.termsAcceptedAt && account.termsAcceptedAt.getTime() >= started);
      const audit = await server().db.read((m) =>
        m.findOneByOrFail(AuditEvent, { type: 'account.registered', subject: account.id }),
      );
      assert.equal(JSON.parse(audit.data!).terms_version, '2026-01');
    });

    test('through an invitation a new phone number signs up once the terms are accepted, and records them', async () => {
      const { token } = await server().tessera.invitations.create(backend, tenantId, {
        roles: ['tenant-user'],
        deliver: 'none',
      });
      const browser = new UserAgent(server().url);
      const { page: login } = await startAppSignIn(server(), browser, { params: { invitation: token! } });
      const phone = newPhoneNumber();
      const enter = await askPhoneCode(browser, login, phone);
      const named = await browser.submit(enter, /\/phone\/verify$/, {
        code: await textedCode(server(), phone, 'sign_up'),
      });
      assert.match(named.html, /type="checkbox" name="terms" value="accepted" required/);
      const unticked = await browser.submit(named, /\/phone\/name$/, { name: 'Phoebe' });
      assert.equal(unticked.status, 400);
      assert.match(unticked.html, /Please accept the terms of service/);
      assert.equal(await server().db.read((m) => m.countBy(Account, { phone })), 0, 'nothing written unticked');
      await browser.submit(unticked, /\/phone\/name$/, { name: 'Phoebe', terms: 'accepted' });
      const account = await server().db.read((m) => m.findOneByOrFail(Account, { phone }));
      assert.equal(account.termsVersion, '2026-01');
      assert.ok(account.termsAcceptedAt);
    });

    test('a tenant’s own connection creates accounts without an invitation: JIT is the tenant’s decision', async () => {
      up.people.set('employee', { email: 'employee@initech.test', email_verified: true, name: 'Employee' });
      const browser = new UserAgent(server().url);
      const { page } = await startAppSignIn(server(), browser, { params: { tenant_hint: tenantId } });
      const next = await viaUpstream(browser, page, '/connection/tenant-idp', 'employee');
      assert.notEqual(next.status, 403, next.html.slice(0, 300));
      assert.equal(await accountsWith('employee@initech.test'), 1);
    });

    test('through an invitation a global connection may create the account', async () => {
      up.people.set('invitee', { email: 'invitee@upstream.test', email_verified: true, name: 'Invitee' });
      const { token } = await server().tessera.invitations.create(backend, tenantId, {
        roles: ['tenant-user'],
        deliver: 'none',
      });
      const browser = new UserAgent(server().url);
      const { page } = await startAppSignIn(server(), browser, { params: { invitation: token! } });
      const next = await viaUpstream(browser, page, '/connection/global-idp', 'invitee');
      assert.notEqual(next.status, 403, next.html.slice(0, 300));
      assert.equal(await accountsWith('invitee@upstream.test'), 1);
    });
  },
  { ...FEDERATION_ENV, ...TERMS, REGISTRATION: 'invitation_only' },
);
