// Signed in as someone else: proving an e-mail-bound invitation's address with a one-time code, through
// the invitation page, on each database. The invitation is only ever used by pressing Join.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { type Person, person } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';
import { AccountEmails } from '../accounts/account-emails.js';
import { Account, AccountEmail, Invitation, Membership, OneTimeCode, OutboxMessage } from '../db/entities/index.js';
import type { Caller } from '../tenants/access.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };
const address = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}@example.test`;

describeWithServer('proving an invited address while signed in as another account', (server: () => TestServer) => {
  let tenantId: string;

  before(async () => {
    tenantId = (await server().tessera.tenants.create(backend, { name: 'Initech' })).id;
  });

  const invite = (email: string) =>
    server().tessera.invitations.create(backend, tenantId, { roles: ['tenant-user'], deliver: 'none', email });
  const invitationRow = (id: string) => server().db.read((m) => m.findOneByOrFail(Invitation, { id }));
  const lastCode = async (to: string) => {
    const mail = await server().db.read((m) =>
      m.findOneOrFail(OutboxMessage, { where: { recipient: to }, order: { createdAt: 'DESC' } }),
    );
    return /\b(\d{6})\b/.exec(mail.bodyText)![1]!;
  };

  /** Signs `who` in on a new browser, then opens the invitation link: the invitation's own page. */
  async function signedInAt(who: Person, url: string): Promise<{ browser: UserAgent; page: Page }> {
    const browser = new UserAgent(server().url);
    const login = await browser.follow('/account');
    await browser.submit(login, /\/login$/, { email: who.email, password: who.password });
    return { browser, page: await browser.follow(url) };
  }

  test('the wrong account is offered a code to the masked address; the right code adds it, and then it joins', async () => {
    const tom = await person(server(), 'Tom');
    const bound = address('bill');
    const { id, url } = await invite(bound);
    const { browser, page } = await signedInAt(tom, url!);
    assert.equal(page.status, 403);
    assert.match(page.html, /Use another account/);
    assert.match(page.html, /send a code to b…@example\.test/);
    assert.ok(!page.html.includes(bound), 'the page never shows the whole bound address');

    const codePage = await browser.submit(page, `/invitations/${id}/address`);
    assert.equal(codePage.status, 200);
    assert.match(codePage.html, /We sent a code to/);
    const back = await browser.submit(codePage, `/invitations/${id}/address/confirm`, { code: await lastCode(bound) });
    assert.equal(back.status, 200);
    assert.match(back.html, /You are invited to join Initech/);
    const review = /href="([^"]+)">Review the invitation</.exec(back.html)?.[1];
    assert.ok(review, 'the invitation page now lets this account go on to accept');
    const rows = await server().db.read((m) => m.findBy(AccountEmail, { accountId: tom.id }));
    assert.deepEqual(
      rows.map((r) => r.email),
      [bound],
    );
    const account = await server().db.read((m) => m.findOneByOrFail(Account, { id: tom.id }));
    assert.equal(account.email, tom.email, "the account's own (sign-in) e-mail is unchanged");
    assert.equal((await invitationRow(id)).useCount, 0, 'proving the address used nothing');
    assert.equal(await server().tessera.accounts.findVerifiedHolder(bound), undefined, 'the address never signs in');

    const prompt = await browser.follow(review.replace(/&amp;/g, '&'));
    assert.match(prompt.html, /Accept|Join/);
    assert.equal((await invitationRow(id)).useCount, 0, 'still unused until the person presses Join');
    const joined = await browser.submit(prompt, /\/invitation$/, { decision: 'accept' });
    assert.match(joined.html, /You have joined/);
    assert.equal((await invitationRow(id)).useCount, 1);
    assert.equal(await server().db.read((m) => m.countBy(Membership, { tenantId, accountId: tom.id })), 1);
  });

  test('inside the sign-in: the wrong account proves the address on the prompt and accepts there', async () => {
    const tom = await person(server(), 'Tom');
    const bound = address('beth');
    const { id, url } = await invite(bound);
    const browser = new UserAgent(server().url);
    const landing = await browser.follow(url!);
    const signInHref = /href="([^"]+)"[^>]*>Sign in</.exec(landing.html)![1]!.replace(/&amp;/g, '&');
    const login = await browser.follow(signInHref);
    const refused = await browser.submit(login, /\/login$/, { email: tom.email, password: tom.password });
    assert.equal(refused.status, 403);
    assert.match(refused.html, /send a code to b…@example\.test/);
    const codePage = await browser.submit(refused, /\/invitation\/address$/);
    assert.match(codePage.html, /We sent a code to/);
    const prompt = await browser.submit(codePage, /\/invitation\/address\/confirm$/, { code: await lastCode(bound) });
    assert.equal(prompt.status, 200);
    assert.match(prompt.html, /You are invited to join Initech/);
    assert.equal((await invitationRow(id)).useCount, 0);
    const joined = await browser.submit(prompt, /\/invitation$/, { decision: 'accept' });
    assert.match(joined.html, /You have joined/);
    assert.equal((await invitationRow(id)).useCount, 1);
  });

  test('wrong codes count; past the limit the code is dead, and the invitation is untouched', async () => {
    const tom = await person(server(), 'Tom');
    const bound = address('bob');
    const { id, url } = await invite(bound);
    const { browser, page } = await signedInAt(tom, url!);
    const before = JSON.stringify(await invitationRow(id));
    let codePage = await browser.submit(page, `/invitations/${id}/address`);
    const right = await lastCode(bound);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      codePage = await browser.submit(codePage, `/invitations/${id}/address/confirm`, { code: wrong });
      assert.equal(codePage.status, 400);
      assert.match(codePage.html, /That code is not right/);
    }
    const dead = await browser.submit(codePage, `/invitations/${id}/address/confirm`, { code: right });
    assert.equal(dead.status, 400);
    assert.match(dead.html, /Too many wrong codes/);
    assert.equal(await server().db.read((m) => m.countBy(AccountEmail, { accountId: tom.id })), 0);
    assert.equal(JSON.stringify(await invitationRow(id)), before, 'use_count, status and token are unchanged');
    const refused = await browser.follow(`/invitations/${id}`);
    assert.equal(refused.status, 403, 'still the wrong account');
  });

  test('an abandoned attempt leaves the invitation usable by its owner; another account cannot send codes for it', async () => {
    const [tom, bea] = await Promise.all([person(server(), 'Tom'), person(server(), 'Bea')]);
    const { id, url } = await invite(bea.email);
    const { browser, page } = await signedInAt(tom, url!);
    await browser.submit(page, `/invitations/${id}/address`);
    assert.equal((await invitationRow(id)).useCount, 0);
    assert.equal((await server().tessera.redemption.accept({ id }, bea.id)).outcome, 'joined');
    // Used up now: the page refuses it, and sending a code for it is refused too.
    const sent = await browser.submit(page, `/invitations/${id}/address`);
    assert.equal(sent.status, 410);
    const codes = await server().db.read((m) =>
      m.countBy(OneTimeCode, { purpose: 'invitation_address', subject: tom.id }),
    );
    assert.equal(codes, 1, 'no second code was issued');
  });

  test('the right code sent twice at once adds the address once; the loser is told there is no code', async () => {
    const tom = await person(server(), 'Tom');
    const bound = address('race');
    const { id, url } = await invite(bound);
    const { browser, page } = await signedInAt(tom, url!);
    const codePage = await browser.submit(page, `/invitations/${id}/address`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(codePage.html)![1]!;
    const code = await lastCode(bound);
    const answers = await Promise.all(
      [1, 2].map(() => browser.request(`/invitations/${id}/address/confirm`, { form: { _csrf: csrf, code } })),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [303, 400]);
    assert.equal(await server().db.read((m) => m.countBy(AccountEmail, { accountId: tom.id })), 1);
    assert.equal((await invitationRow(id)).useCount, 0);
  });

  test('forms without a right CSRF token send nothing', async () => {
    const tom = await person(server(), 'Tom');
    const { id, url } = await invite(address('carl'));
    const { browser } = await signedInAt(tom, url!);
    const forged = await browser.request(`/invitations/${id}/address`, { form: { _csrf: 'forged' } });
    assert.equal(forged.status, 403);
    assert.equal(await server().db.read((m) => m.countBy(OneTimeCode, { subject: tom.id })), 0);
    const stranger = await new UserAgent(server().url).request(`/invitations/${id}/address`, { form: { _csrf: 'x' } });
    assert.equal(stranger.status, 403, 'no CSRF cookie either');
  });

  test("a proven address becomes the own e-mail only of an account without one, and never takes another account's", async () => {
    const [tom, ana] = await Promise.all([person(server(), 'Tom'), person(server(), 'Ana')]);
    await server().db.write((m) => m.update(Account, { id: tom.id }, { email: null, emailVerified: false }));
    const addresses = new AccountEmails(server().db);
    const taken = await server().db.transaction((m) => addresses.addProven(m, tom.id, ana.email));
    assert.equal(taken, 'added', "Ana's sign-in address stays hers; Tom only gets it for invitations");
    const free = address('free');
    assert.equal(await server().db.transaction((m) => addresses.addProven(m, tom.id, free)), 'own');
    const account = await server().db.read((m) => m.findOneByOrFail(Account, { id: tom.id }));
    assert.deepEqual([account.email, account.emailVerified], [free, true]);
    assert.equal(await server().db.transaction((m) => addresses.addProven(m, tom.id, free.toUpperCase())), 'already');
    await server().tessera.accounts.deleteAccount(tom.id, async () => {});
    assert.equal(
      await server().db.read((m) => m.countBy(AccountEmail, { accountId: tom.id })),
      0,
      'deleted with the account',
    );
  });
});
