// Registration, e-mail verification, sign-in and password reset through the real pages, on each database.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type * as oidc from 'openid-client';
import { Account, VerificationCode } from '../db/entities/index.js';
import {
  appLoginPage,
  linkIn as linkInMail,
  mailsTo as mailsToAddress,
  registerThroughPages,
} from '../../test/support/accounts.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { firstPartyApp } from '../../test/support/tokens.js';
import { UserAgent } from '../../test/support/user-agent.js';

const PASSWORD = 'a perfectly fine passphrase';

describeWithServer('accounts through the browser pages', (server: () => TestServer) => {
  let rp: oidc.Configuration;

  before(async () => {
    rp = await firstPartyApp(server());
  });

  const uniqueEmail = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}@example.test`;

  const loginPage = (browser: UserAgent) => appLoginPage(server(), rp, browser);
  const mailsTo = (email: string) => mailsToAddress(server(), email);
  const linkIn = (email: string, path: string) => linkInMail(server(), email, path);
  const register = (browser: UserAgent, email: string) =>
    registerThroughPages(server(), rp, browser, { name: 'Nell', email, password: PASSWORD });

  test('a newcomer registers, verifies the mailed link with a POST, then signs in', async () => {
    const browser = new UserAgent(server().url);
    const email = uniqueEmail('nell');
    const inbox = await register(browser, email);
    assert.match(inbox.html, /Check your inbox/);

    const link = await linkIn(email, '/verify-email');
    const confirm = await browser.follow(link);
    assert.match(confirm.html, /Confirm my address/);
    const account = await server().db.read((m) => m.findOneByOrFail(Account, { email }));
    assert.equal(account.emailVerified, false, 'opening the link (GET) changes nothing');

    const verified = await browser.submit(confirm, '/verify-email');
    assert.match(verified.html, /is confirmed/);
    assert.equal((await server().db.read((m) => m.findOneByOrFail(Account, { id: account.id }))).emailVerified, true);

    const callback = await browser.submit(await loginPage(browser), /\/login$/, { email, password: PASSWORD });
    assert.ok(callback.location?.includes('/app/callback?code='), 'signed in and sent back to the app');
  });

  test('a verification link works once', async () => {
    const browser = new UserAgent(server().url);
    const email = uniqueEmail('once');
    await register(browser, email);
    const link = await linkIn(email, '/verify-email');
    await browser.submit(await browser.follow(link), '/verify-email');
    const again = await browser.follow(link);
    assert.equal(again.status, 400);
    assert.match(again.html, /no longer valid/);
  });

  test('signing in before verifying is refused with a clear message and a fresh link is mailed', async () => {
    const browser = new UserAgent(server().url);
    const email = uniqueEmail('early');
    await register(browser, email);
    const before = (await mailsTo(email)).length;
    const page = await browser.submit(await loginPage(browser), /\/login$/, { email, password: PASSWORD });
    assert.equal(page.status, 400);
    assert.match(page.html, /confirm your e-mail address first/);
    assert.equal((await mailsTo(email)).length, before + 1);
  });

  test('registering an e-mail that already signs in shows the same page and mails the owner instead', async () => {
    const email = uniqueEmail('taken');
    await server().tessera.accounts.createAccount({ email, name: 'T', password: PASSWORD, verified: true });
    const second = await register(new UserAgent(server().url), email);
    assert.match(second.html, /Check your inbox/);
    const mails = await mailsTo(email);
    assert.deepEqual(
      mails.map((m) => m.subject),
      ['You already have an account'],
    );
    assert.equal(await server().db.read((m) => m.countBy(Account, { email })), 1);
  });

  test('a wrong password and an unknown e-mail get the very same answer', async () => {
    const email = uniqueEmail('known');
    await server().tessera.accounts.createAccount({ email, name: 'K', password: PASSWORD, verified: true });
    const browser = new UserAgent(server().url);
    const wrong = await browser.submit(await loginPage(browser), /\/login$/, { email, password: 'not the password' });
    const unknown = await browser.submit(await loginPage(browser), /\/login$/, {
      email: uniqueEmail('ghost'),
      password: 'not the password',
    });
    assert.equal(wrong.status, unknown.status);
    const message = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1];
    assert.ok(message(wrong.html));
    assert.equal(message(wrong.html), message(unknown.html));
  });

  test('password reset: the mailed link sets a new password once, verifies the e-mail, and the old password stops working', async () => {
    const email = uniqueEmail('reset');
    await server().tessera.accounts.createAccount({ email, name: 'R', password: PASSWORD, verified: false });
    const browser = new UserAgent(server().url);
    const sent = await browser.submit(await browser.follow('/reset-password'), '/reset-password', { email });
    assert.match(sent.html, /Check your inbox/);
    const link = await linkIn(email, '/reset-password/new');
    const form = await browser.follow(link);
    assert.match(form.html, /name="name"/, 'an address never confirmed: the new owner gives the name too');
    const done = await browser.submit(form, '/reset-password/new', { name: 'R', password: 'the brand new passphrase' });
    assert.match(done.html, /password is changed/);
    assert.equal(
      (await browser.submit(form, '/reset-password/new', { name: 'R', password: 'yet another passphrase' })).status,
      400,
      'the link works once',
    );

    const old = await browser.submit(await loginPage(browser), /\/login$/, { email, password: PASSWORD });
    assert.equal(old.status, 400);
    const fresh = await browser.submit(await loginPage(browser), /\/login$/, {
      email,
      password: 'the brand new passphrase',
    });
    assert.ok(
      fresh.location?.includes('/app/callback?code='),
      'the new password signs in (the e-mail became verified)',
    );
  });

  test('a reset request for an unknown e-mail looks the same and mails nobody', async () => {
    const email = uniqueEmail('nobody');
    const browser = new UserAgent(server().url);
    const sent = await browser.submit(await browser.follow('/reset-password'), '/reset-password', { email });
    assert.equal(sent.status, 200);
    assert.match(sent.html, /Check your inbox/);
    await server().tessera.accounts.settled();
    assert.equal((await mailsTo(email)).length, 0);
  });

  test('an expired reset link is refused', async () => {
    const email = uniqueEmail('late');
    await server().tessera.accounts.createAccount({ email, name: 'L', password: PASSWORD, verified: true });
    const browser = new UserAgent(server().url);
    await browser.submit(await browser.follow('/reset-password'), '/reset-password', { email });
    await server().tessera.accounts.settled();
    await server().db.write((m) =>
      m.update(VerificationCode, { target: email }, { expiresAt: new Date(Date.now() - 1000) }),
    );
    const page = await browser.follow(await linkIn(email, '/reset-password/new'));
    assert.equal(page.status, 400);
    assert.match(page.html, /no longer valid/);
  });

  test('a reset form with a field the page does not send is a 400 and changes nothing', async () => {
    const email = uniqueEmail('odd');
    await server().tessera.accounts.createAccount({ email, name: 'O', password: PASSWORD, verified: true });
    const browser = new UserAgent(server().url);
    const asked = await browser.submit(await browser.follow('/reset-password'), '/reset-password', {
      email,
      admin: 'yes',
    });
    assert.equal(asked.status, 400);
    await server().tessera.accounts.settled();
    assert.equal((await mailsTo(email)).length, 0, 'no reset mail');
    await browser.submit(await browser.follow('/reset-password'), '/reset-password', { email });
    const form = await browser.follow(await linkIn(email, '/reset-password/new'));
    const refused = await browser.submit(form, '/reset-password/new', {
      password: 'the brand new passphrase',
      role: 'admin',
    });
    assert.equal(refused.status, 400);
    const old = await browser.submit(await loginPage(browser), /\/login$/, { email, password: PASSWORD });
    assert.ok(old.location?.includes('/app/callback?code='), 'the old password still signs in');
  });

  test('a form posted without its CSRF token is refused and changes nothing', async () => {
    const email = uniqueEmail('csrf');
    const browser = new UserAgent(server().url);
    await browser.follow('/reset-password');
    const page = await browser.request('/reset-password', { form: { email } });
    assert.equal(page.status, 403);
    assert.match(page.html, /This form has expired/);
    const login = await loginPage(browser);
    const action = /action="(\/interaction\/[^"]+\/login)"/.exec(login.html)![1]!;
    assert.equal((await browser.request(action, { form: { email, password: PASSWORD, _csrf: 'forged' } })).status, 403);
  });
});

describeWithServer(
  'sign-in rate limits',
  (server: () => TestServer) => {
    test('after the allowed attempts for one e-mail, sign-in answers 429 even with the right password', async () => {
      const email = 'limited@example.test';
      await server().tessera.accounts.createAccount({ email, name: 'L', password: PASSWORD, verified: true });
      const browser = new UserAgent(server().url);
      const login = await appLoginPage(server(), await firstPartyApp(server()), browser);
      for (let i = 0; i < 3; i++)
        assert.equal((await browser.submit(login, /\/login$/, { email, password: 'wrong' })).status, 400);
      const blocked = await browser.submit(login, /\/login$/, { email, password: PASSWORD });
      assert.equal(blocked.status, 429);
      assert.match(blocked.html, /Too many attempts/);
    });
  },
  { RATE_LIMIT_LOGIN: '3' },
);
