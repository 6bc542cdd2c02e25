// The account page's phone section through HTTP, on both databases: a number added with a texted code signs in
// by SMS afterwards; a wrong code, a number another account signs in with, an old sign-in and a number that is
// the only way to sign in each change nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ageSignIn, mailsTo } from '../../test/support/accounts.js';
import { newPhoneNumber, signUpByPhone, textedCode } from '../../test/support/phones.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { type Person, person, startAppSignIn } from '../../test/support/tokens.js';
import { findForm, openSignedIn, type Page, type UserAgent } from '../../test/support/user-agent.js';
import { Account, Credential } from '../db/entities/index.js';

describeWithServer('a phone number on the account page', (server: () => TestServer) => {
  async function open(who: Person): Promise<{ browser: UserAgent; page: Page }> {
    const opened = await openSignedIn(server().url, '/account', who);
    assert.match(opened.page.html, /<h1>Your account<\/h1>/);
    return opened;
  }
  const accountOf = (id: string) => server().db.read((m) => m.findOneByOrFail(Account, { id }));
  const phoneCredentialOf = (accountId: string) =>
    server().db.read((m) => m.findOneBy(Credential, { accountId, type: 'phone' }));

  /** From the account page, a code asked for `typed`: the page that asks for it. */
  async function askCode(browser: UserAgent, page: Page, typed: string): Promise<Page> {
    const sent = await browser.submit(page, '/account/phone/send', { phone: typed });
    assert.equal(sent.status, 200, sent.html.slice(0, 400));
    assert.match(sent.html, /action="\/account\/phone\/verify"/);
    return sent;
  }

  test('a person adds a number with the texted code, then signs in with an SMS code to the same account', async () => {
    const ada = await person(server(), 'Ada');
    const { browser, page } = await open(ada);
    const phone = newPhoneNumber();
    const enter = await askCode(browser, page, `${phone.slice(0, 3)} ${phone.slice(3, 6)} ${phone.slice(6)}`);
    assert.match(enter.html, new RegExp(`\\${phone}`), 'the page names the number, in E.164');
    const done = await browser.submit(enter, '/account/phone/verify', {
      code: await textedCode(server(), phone, 'add_number'),
    });
    assert.match(done.html, /Your phone number is confirmed/);
    const account = await accountOf(ada.id);
    assert.equal(account.phone, phone);
    assert.equal(account.phoneVerified, true);
    assert.equal((await phoneCredentialOf(ada.id))?.identifier, phone);

    const app = await startAppSignIn(server(), { scope: 'openid phone' });
    const enterSignIn = await app.browser.submit(await app.browser.submit(app.page, /\/phone$/), /\/phone\/send$/, {
      phone,
    });
    const signedIn = await app.browser.submit(enterSignIn, /\/phone\/verify$/, {
      code: await textedCode(server(), phone, 'sign_in'),
    });
    const claims = await app.finish(signedIn);
    assert.equal(claims.sub, ada.id);
    assert.equal(claims.phone_number, phone);
    assert.deepEqual(claims.amr, ['sms']);
  });

  test('a wrong code changes nothing; five wrong guesses kill the code', async () => {
    const ada = await person(server(), 'Ada');
    const { browser, page } = await open(ada);
    const phone = newPhoneNumber();
    let at = await askCode(browser, page, phone);
    const code = await textedCode(server(), phone, 'add_number');
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) {
      at = await browser.submit(at, '/account/phone/verify', { code: wrong });
      assert.equal(at.status, 400);
      assert.match(at.html, /That code is not right/);
    }
    const late = await browser.submit(at, '/account/phone/verify', { code });
    assert.equal(late.status, 400, 'the right code after five wrong ones is dead');
    assert.equal((await accountOf(ada.id)).phone, null);
    assert.equal(await phoneCredentialOf(ada.id), null);
  });

  test("a number that signs in to another account stays there, even proven; a code is the asker's own", async () => {
    const phone = newPhoneNumber();
    const app = await startAppSignIn(server(), { scope: 'openid' });
    const owner = (await app.finish(await signUpByPhone(server(), app.browser, app.page, phone, 'Olly'))).sub;
    const ada = await person(server(), 'Ada');
    const { browser, page } = await open(ada);
    const enter = await askCode(browser, page, phone);
    const refused = await browser.submit(enter, '/account/phone/verify', {
      code: await textedCode(server(), phone, 'add_number'),
    });
    assert.equal(refused.status, 409);
    assert.match(refused.html, /signs in to another account/);
    assert.equal((await accountOf(ada.id)).phone, null);
    assert.equal((await phoneCredentialOf(owner))?.identifier, phone, 'the owner keeps it');

    // Bea cannot spend the code texted for Ada: codes belong to the account that asked.
    const bea = await person(server(), 'Bea');
    const other = await open(bea);
    const number = newPhoneNumber();
    await askCode(browser, await browser.follow('/account'), number);
    const { hidden } = findForm(other.page.html, '/account/profile');
    const stolen = await other.browser.request('/account/phone/verify', {
      form: { _csrf: hidden._csrf!, code: await textedCode(server(), number, 'add_number') },
    });
    assert.equal(stolen.status, 400);
    assert.equal((await accountOf(bea.id)).phone, null);
  });

  test('after an old sign-in no code is sent; removing a number needs a recent sign-in and another way in', async () => {
    const ada = await person(server(), 'Ada');
    const { browser, page } = await open(ada);
    await ageSignIn(server(), ada.id);
    const phone = newPhoneNumber();
    const stale = await browser.submit(page, '/account/phone/send', { phone });
    assert.equal(stale.status, 403);
    assert.match(stale.html, /sign in again first/);
    await server().tessera.accounts.settled();
    assert.equal((await mailsTo(server(), phone)).length, 0, 'nothing texted');

    const fresh = await open(ada);
    const enter = await askCode(fresh.browser, fresh.page, phone);
    await fresh.browser.submit(enter, '/account/phone/verify', {
      code: await textedCode(server(), phone, 'add_number'),
    });
    await ageSignIn(server(), ada.id);
    const late = await fresh.browser.submit(await fresh.browser.follow('/account'), '/account/phone/delete');
    assert.equal(late.status, 403);
    assert.equal((await accountOf(ada.id)).phone, phone);
    const again = await open(ada);
    const removed = await again.browser.submit(again.page, '/account/phone/delete');
    assert.match(removed.html, /Your phone number is removed/);
    assert.equal((await accountOf(ada.id)).phone, null);
    assert.equal(await phoneCredentialOf(ada.id), null, 'it no longer signs in');
  });

  test('a number that is the only way to sign in cannot be removed', async () => {
    const phone = newPhoneNumber();
    const app = await startAppSignIn(server(), { scope: 'openid' });
    const browser = app.browser;
    await app.finish(await signUpByPhone(server(), browser, app.page, phone, 'Olly'));
    const page = await browser.follow('/account');
    const refused = await browser.submit(page, '/account/phone/delete');
    assert.equal(refused.status, 409);
    assert.match(refused.html, /only way to sign in/);
    const account = await server().db.read((m) => m.findOneByOrFail(Account, { phone }));
    assert.equal(account.phoneVerified, true);
  });
});
