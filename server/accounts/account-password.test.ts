// Changing the password on the account page, through HTTP on both databases: the current password is
// required, the new one must fit the rules, and the change ends the account's sessions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { person } from '../../test/support/tokens.js';
import { UserAgent } from '../../test/support/user-agent.js';

describeWithServer('changing the password on the account page', (server: () => TestServer) => {
  test('with the current password the password changes, every session ends, and only the new one signs in', async () => {
    const ada = await person(server(), 'Ada');
    const browser = new UserAgent(server().url);
    let page = await browser.follow('/account');
    page = await browser.submit(page, /\/login$/, { email: ada.email, password: ada.password });
    const wrong = await browser.submit(page, '/account/password', {
      current_password: 'nope',
      new_password: 'a new long passphrase',
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /current password is not right/);
    const short = await browser.submit(page, '/account/password', {
      current_password: ada.password,
      new_password: 'short',
    });
    assert.equal(short.status, 400);
    const changed = await browser.submit(page, '/account/password', {
      current_password: ada.password,
      new_password: 'a new long passphrase',
    });
    assert.match(changed.html, /action="\/interaction\/[^"]+\/login"/, 'the session ended: sign in again');
    assert.equal((await server().tessera.accounts.signIn(ada.email, ada.password)).ok, false);
    assert.equal((await server().tessera.accounts.signIn(ada.email, 'a new long passphrase')).ok, true);
  });
});
