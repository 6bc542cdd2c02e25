// The account page through HTTP: sign-in round trip, the profile form, and nothing without a session or CSRF.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { type Person, person } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';

describeWithServer('account page', (server: () => TestServer) => {
  let someone: Person;

  before(async () => {
    someone = await person(server(), 'Peter Gibbons');
  });

  async function open(who: Person): Promise<{ browser: UserAgent; page: Page }> {
    const browser = new UserAgent(server().url);
    let page = await browser.follow('/account');
    if (/action="\/interaction\/[^"]+\/login"/.test(page.html))
      page = await browser.submit(page, /\/login$/, { email: who.email, password: who.password });
    return { browser, page };
  }

  test('a person who is not signed in is sent through sign-in and comes back to their account page', async () => {
    const first = await new UserAgent(server().url).request('/account');
    assert.equal(first.status, 302);
    assert.match(first.location!, /\/auth\?client_id=tessera-internal/);
    const { page } = await open(someone);
    assert.equal(page.status, 200);
    assert.match(page.html, /<h1>Your account<\/h1>/);
    assert.match(page.html, new RegExp(someone.email));
    assert.match(page.html, /value="Peter Gibbons"/);
  });

  test('the person renames themself; the page confirms it and the account holds the new name', async () => {
    const { browser, page } = await open(someone);
    const saved = await browser.submit(page, '/account/profile', { name: '  Peter G.  ' });
    assert.match(saved.html, /Your profile is saved/);
    assert.equal((await server().tessera.accounts.findById(someone.id))?.name, 'Peter G.');
  });

  test('an empty name is refused on the page and changes nothing', async () => {
    const { browser, page } = await open(someone);
    const before = (await server().tessera.accounts.findById(someone.id))?.name;
    const refused = await browser.submit(page, '/account/profile', { name: '   ' });
    assert.equal(refused.status, 400);
    assert.match(refused.html, /Please enter your name/);
    assert.equal((await server().tessera.accounts.findById(someone.id))?.name, before);
  });

  test('a form post without the CSRF token, or from no session, changes nothing', async () => {
    const before = (await server().tessera.accounts.findById(someone.id))?.name;
    const { browser } = await open(someone);
    const forged = await browser.request('/account/profile', { form: { name: 'Forged' } });
    assert.equal(forged.status, 403);
    const anonymous = new UserAgent(server().url);
    const page = await anonymous.follow('/account');
    const noSession = await anonymous.request('/account/profile', {
      form: { name: 'Nobody', _csrf: /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '' },
    });
    assert.equal(noSession.status, 302);
    assert.equal((await server().tessera.accounts.findById(someone.id))?.name, before);
  });
});
