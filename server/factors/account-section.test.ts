// The account page's second-factor section through HTTP, on both databases: an authenticator app set up
// with the page's key, recovery codes replaced, a passkey registered (a software authenticator) and removed,
// and a registration answer that is replayed or made for another origin refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { ageSignIn } from '../../test/support/accounts.js';
import { SoftAuthenticator } from '../../test/support/authenticator.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { type Person, person } from '../../test/support/tokens.js';
import { findForm, openSignedIn, type Page, type UserAgent } from '../../test/support/user-agent.js';

const codeNow = (secret: string) => TOTP.generate({ secret: Secret.fromBase32(secret.replace(/\s/g, '')) });

describeWithServer('second factors on the account page', (server: () => TestServer) => {
  async function open(who: Person): Promise<{ browser: UserAgent; page: Page }> {
    const opened = await openSignedIn(server().url, '/account', who);
    assert.match(opened.page.html, /<h1>Your account<\/h1>/);
    return opened;
  }

  test('a person sets up an authenticator app with the key the page shows and gets ten recovery codes once', async () => {
    const ada = await person(server(), 'Ada');
    const { browser, page } = await open(ada);
    const setup = await browser.submit(page, '/account/totp/start');
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!;
    const wrong = await browser.submit(setup, '/account/totp/confirm', { code: '12345x' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /id="totp-secret">/, 'the same key is shown again');
    const done = await browser.submit(wrong, '/account/totp/confirm', { code: codeNow(secret) });
    assert.match(done.html, /Authenticator app set up/);
    const codes = done.html.match(/<li><code>([a-z2-9-]{11})<\/code><\/li>/g) ?? [];
    assert.equal(codes.length, 10);
    assert.ok(await server().tessera.factors.totp.enrolled(ada.id));
    const again = await browser.follow('/account');
    assert.doesNotMatch(again.html, /<li><code>/, 'the codes are not shown again');
    assert.match(again.html, /Unused recovery codes: 10/);
  });

  test('replacing recovery codes after an old sign-in asks to sign in again, changes nothing, and works after', async () => {
    const ada = await person(server(), 'Ada');
    const [old] = await server().tessera.factors.recovery.generate(ada.id);
    const { browser, page } = await open(ada);
    await ageSignIn(server(), ada.id);
    const refused = await browser.submit(page, '/account/recovery-codes');
    assert.equal(refused.status, 403);
    assert.match(refused.html, /sign in again first/);
    assert.doesNotMatch(refused.html, /<li><code>/);
    const again = /<a class="button" href="([^"]+)">Sign in again<\/a>/.exec(refused.html)![1]!.replace(/&amp;/g, '&');
    const login = await browser.follow(again);
    assert.match(login.html, new RegExp(`value="${ada.email}"`), 'the address is filled in');
    const back = await browser.submit(login, /\/login$/, { email: ada.email, password: ada.password });
    assert.match(back.html, /<h1>Your account<\/h1>/);
    const fresh = await browser.submit(back, '/account/recovery-codes');
    assert.equal((fresh.html.match(/<li><code>/g) ?? []).length, 10);
    assert.equal(await server().tessera.factors.recovery.use(ada.id, old!), false);
  });

  test('new recovery codes replace the old ones', async () => {
    const ada = await person(server(), 'Ada');
    const [old] = await server().tessera.factors.recovery.generate(ada.id);
    const { browser, page } = await open(ada);
    const fresh = await browser.submit(page, '/account/recovery-codes');
    assert.equal((fresh.html.match(/<li><code>/g) ?? []).length, 10);
    assert.equal(await server().tessera.factors.recovery.use(ada.id, old!), false);
  });

  test('a person registers a passkey and removes it; a replayed or foreign-origin answer is refused', async () => {
    const ada = await person(server(), 'Ada');
    const { browser, page } = await open(ada);
    const { hidden } = findForm(page.html, '/account/passkeys');
    const key = new SoftAuthenticator(new URL(server().url).hostname);
    const options = JSON.parse(
      (await browser.request('/account/passkeys/options', { form: { _csrf: hidden._csrf! } })).html,
    );
    const foreign = await browser.submit(page, '/account/passkeys', {
      response: key.register(options, 'https://evil.example'),
      name: 'Evil',
    });
    assert.equal(foreign.status, 400);
    const options2 = JSON.parse(
      (await browser.request('/account/passkeys/options', { form: { _csrf: hidden._csrf! } })).html,
    );
    const answer = key.register(options2, server().url);
    const added = await browser.submit(page, '/account/passkeys', { response: answer, name: 'Laptop' });
    assert.match(added.html, /Passkey added/);
    assert.match(added.html, /<strong>Laptop<\/strong>/);
    const replayed = await browser.submit(page, '/account/passkeys', { response: answer, name: 'Again' });
    assert.equal(replayed.status, 400);
    const [passkey] = await server().tessera.factors.passkeys.list(ada.id);
    assert.equal((await server().tessera.factors.passkeys.list(ada.id)).length, 1);
    const removed = await browser.submit(added, `/account/passkeys/${passkey!.id}/delete`);
    assert.match(removed.html, /Passkey removed/);
    assert.equal((await server().tessera.factors.passkeys.list(ada.id)).length, 0);
  });

  test("a person cannot remove another account's passkey", async () => {
    const [ada, eve] = [await person(server(), 'Ada'), await person(server(), 'Eve')];
    const key = new SoftAuthenticator(new URL(server().url).hostname);
    const options = await server().tessera.factors.passkeys.registrationOptions({
      id: ada.id,
      userName: 'a',
      displayName: 'A',
    });
    const { AttestationResponse } = await import('./passkeys.js');
    await server().tessera.factors.passkeys.register(
      ada.id,
      AttestationResponse.parse(key.register(options, server().url)),
      'Ada',
    );
    const [adas] = await server().tessera.factors.passkeys.list(ada.id);
    const { browser, page } = await open(eve);
    const { hidden } = findForm(page.html, '/account/profile');
    await browser.request(`/account/passkeys/${adas!.id}/delete`, { form: { _csrf: hidden._csrf! } });
    assert.equal((await server().tessera.factors.passkeys.list(ada.id)).length, 1);
  });
});
