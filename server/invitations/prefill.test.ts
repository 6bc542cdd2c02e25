// Profile data an invitation pre-fills at sign-up, on each database: set through the Management API (a
// locale the pages speak only), shown on the registration form reached through the invitation, and a
// fixed field keeps the invitation's value whatever the form posts.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Account } from '../db/entities/index.js';
import { apiClient } from '../../test/support/api.js';
import { registrationFormThroughInvitation } from '../../test/support/accounts.js';
import { startAppSignIn } from '../../test/support/federation.js';
import { askPhoneCode, newPhoneNumber, textedCode } from '../../test/support/phones.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken } from '../../test/support/tokens.js';
import { UserAgent } from '../../test/support/user-agent.js';

describeWithServer('pre-filled profile at sign-up', (server: () => TestServer) => {
  const { call, tenantWith } = apiClient(server);
  let manage: string;
  let tenantId: string;

  before(async () => {
    manage = await clientToken(server(), { manage: true });
    tenantId = await tenantWith(manage, 'Pied Piper');
  });

  const invite = (profile: unknown) =>
    call<{ url?: string; profile?: unknown; error?: string }>(
      'POST',
      `/api/tenants/${tenantId}/invitations/tokens`,
      manage,
      {
        roles: ['tenant-user'],
        profile,
      },
    );
  const accountOf = (email: string) => server().db.read((m) => m.findOneByOrFail(Account, { email }));

  test('the API takes {name, locale}, each {value, editable}, and refuses a locale the pages do not speak', async () => {
    const made = await invite({ name: { value: 'Richard Hendricks', editable: false }, locale: { value: 'en' } });
    assert.equal(made.status, 201);
    assert.deepEqual(made.body.profile, {
      name: { value: 'Richard Hendricks', editable: false },
      locale: { value: 'en', editable: true },
    });
    for (const bad of [{ locale: { value: 'xx' } }, { name: { value: '' } }, { nickname: { value: 'R' } }]) {
      const refused = await invite(bad);
      assert.equal(refused.status, 400, JSON.stringify(bad));
    }
  });

  test('a fixed name is shown read-only and kept even when the form posts another (tamper)', async () => {
    const { body } = await invite({
      name: { value: 'Richard Hendricks', editable: false },
      locale: { value: 'en', editable: false },
    });
    const browser = new UserAgent(server().url);
    const form = await registrationFormThroughInvitation(browser, body.url!);
    assert.match(form.html, /name="name" type="text" value="Richard Hendricks"[^>]*readonly/);
    assert.match(form.html, /Set by your invitation/);
    const email = `richard-${crypto.randomUUID()}@example.com`;
    const done = await browser.submit(form, /\/register$/, {
      name: 'Mallory',
      email,
      password: 'correct horse battery',
      locale: 'xx',
    });
    assert.equal(done.status, 200, done.html.slice(0, 300));
    const account = await accountOf(email);
    assert.equal(account.name, 'Richard Hendricks');
    assert.equal(account.locale, 'en');
  });

  test('an editable name is pre-filled, and the person may change it', async () => {
    const { body } = await invite({ name: { value: 'Jared Dunn', editable: true } });
    const browser = new UserAgent(server().url);
    const form = await registrationFormThroughInvitation(browser, body.url!);
    assert.match(form.html, /name="name" type="text" value="Jared Dunn"/);
    assert.doesNotMatch(form.html, /readonly/);
    const email = `jared-${crypto.randomUUID()}@example.com`;
    await browser.submit(form, /\/register$/, { name: 'Donald Dunn', email, password: 'correct horse battery' });
    assert.equal((await accountOf(email)).name, 'Donald Dunn');
  });

  test('the name page of a new phone number shows a fixed name read-only and keeps it (tamper)', async () => {
    const { body } = await invite({ name: { value: 'Gavin Belson', editable: false } });
    const token = decodeURIComponent(body.url!.split('/').pop()!);
    const browser = new UserAgent(server().url);
    const { page: login } = await startAppSignIn(server(), browser, { params: { invitation: token } });
    const phone = newPhoneNumber();
    const enter = await askPhoneCode(browser, login, phone);
    const named = await browser.submit(enter, /\/phone\/verify$/, {
      code: await textedCode(server(), phone, 'sign_up'),
    });
    assert.match(named.html, /name="name" type="text" value="Gavin Belson"[^>]*readonly/);
    await browser.submit(named, /\/phone\/name$/, { name: 'Mallory' });
    assert.equal((await server().db.read((m) => m.findOneByOrFail(Account, { phone }))).name, 'Gavin Belson');
  });
});
