// Invitations bound to a phone number, through HTTP on both databases: the invitee opens the texted short link,
// signs up with that number and a code and joins; an account with another, an unverified or no number is
// refused; registering with a password through the texted link proves the number, a copied link does not.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { mailsTo } from '../../test/support/accounts.js';
import { askPhoneCode, newPhoneNumber, textedCode } from '../../test/support/phones.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { person, startAppSignIn } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';
import { Account, Credential, Membership } from '../db/entities/index.js';
import type { Caller } from '../tenants/access.js';
import { InvitationRefused } from './redemption.js';
import type { NewInvitation } from './service.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };
const hrefOf = (page: Page, text: string) =>
  new RegExp(`href="([^"]+)"[^>]*>${text}<`).exec(page.html)?.[1]?.replace(/&amp;/g, '&');

describeWithServer('invitations bound to a phone number', (server: () => TestServer) => {
  let tenantId: string;

  before(async () => {
    tenantId = (await server().tessera.tenants.create(backend, { name: 'Umbrella' })).id;
  });

  const invite = (input: Partial<NewInvitation>) =>
    server().tessera.invitations.create(backend, tenantId, { roles: ['tenant-user'], deliver: 'none', ...input });

  /** Invites `phone` by SMS; the short link the SMS carries. */
  async function textedLink(phone: string): Promise<string> {
    await invite({ phone, deliver: 'sms' });
    const [sms] = await mailsTo(server(), phone);
    const link = /https?:\/\/\S+\/i\/[\w-]+/.exec(sms!.bodyText)?.[0] ?? '';
    assert.ok(link.startsWith(server().url), 'the short link is built from the issuer');
    return link;
  }

  /** From the texted link to the sign-in page, through the landing page's "Create an account". */
  async function signInPageFrom(link: string, browser: UserAgent): Promise<Page> {
    const landing = await browser.follow(link);
    assert.match(landing.html, /Umbrella/);
    const login = await browser.follow(new URL(hrefOf(landing, 'Create an account')!, server().url).href);
    assert.match(login.html, /Sign in with your phone/, 'a number-bound invitation leads to the sign-in page');
    return login;
  }

  /** Signs in (or up, with `name`) with `phone` and its texted code from the sign-in page. */
  async function withCode(browser: UserAgent, login: Page, phone: string, name?: string): Promise<Page> {
    const enter = await askPhoneCode(browser, login, phone);
    const code = await textedCode(server(), phone, name ? 'sign_up' : 'sign_in');
    const after = await browser.submit(enter, /\/phone\/verify$/, { code });
    return name ? browser.submit(after, /\/phone\/name$/, { name }) : after;
  }

  test('an invitee invited by SMS opens the link, signs up with that number and its code, and joins', async () => {
    const phone = newPhoneNumber();
    const browser = new UserAgent(server().url);
    const login = await signInPageFrom(await textedLink(phone), browser);
    const ask = await browser.submit(login, /\/phone$/);
    assert.match(ask.html, new RegExp(`value="\\${phone}"`), 'the invited number is filled in');
    const prompt = await withCode(browser, login, phone, 'Ivy');
    assert.match(prompt.html, /You are invited to join Umbrella/, prompt.html.slice(0, 400));
    const joined = await browser.submit(prompt, /\/invitation$/, { decision: 'accept' });
    assert.match(joined.html, /You have joined/);
    const account = await server().db.read((m) => m.findOneByOrFail(Account, { phone }));
    assert.equal(account.phoneVerified, true);
    assert.equal(await server().db.read((m) => m.countBy(Membership, { tenantId, accountId: account.id })), 1);
  });

  test('an account with another number is refused with the page for someone else, and nothing changes', async () => {
    const invited = newPhoneNumber();
    const other = newPhoneNumber();
    const first = new UserAgent(server().url);
    // The other number has an account already (signed up from an app's sign-in, here the invitation's).
    await withCode(first, await signInPageFrom(await textedLink(newPhoneNumber()), first), other, 'Olly');
    const browser = new UserAgent(server().url);
    const refused = await withCode(browser, await signInPageFrom(await textedLink(invited), browser), other);
    assert.equal(refused.status, 403);
    assert.match(refused.html, /This invitation is for someone else/);
    const olly = await server().db.read((m) => m.findOneByOrFail(Account, { phone: other }));
    assert.equal(await server().db.read((m) => m.countBy(Membership, { tenantId, accountId: olly.id })), 0);
  });

  test('an account whose profile has the number unverified, or that has no number, may not accept or decline', async () => {
    const phone = newPhoneNumber();
    const { token } = await invite({ phone });
    const noNumber = await person(server(), 'Nora');
    const unverified = await person(server(), 'Uli');
    await server().db.write((m) => m.update(Account, { id: unverified.id }, { phone, phoneVerified: false }));
    const wrong = (error: unknown) => error instanceof InvitationRefused && error.problem === 'wrong_account';
    for (const who of [noNumber, unverified]) {
      await assert.rejects(server().tessera.redemption.accept({ token: token! }, who.id), wrong);
      await assert.rejects(server().tessera.redemption.decline({ token: token! }, who.id), wrong);
    }
    await server().db.write((m) => m.update(Account, { id: unverified.id }, { phoneVerified: true }));
    assert.equal((await server().tessera.redemption.accept({ token: token! }, unverified.id)).outcome, 'joined');
  });

  test('registering with a password through the texted link proves the number; a copied link does not', async () => {
    const phone = newPhoneNumber();
    const browser = new UserAgent(server().url);
    const login = await signInPageFrom(await textedLink(phone), browser);
    const form = await browser.follow(
      new URL(/href="(\/interaction\/[^"]+\/register)"/.exec(login.html)![1]!, server().url).href,
    );
    assert.doesNotMatch(form.html, new RegExp(`value="\\${phone}"`), 'a number is no e-mail to fill in');
    const email = `texted-${crypto.randomUUID().slice(0, 8)}@example.test`;
    await browser.submit(form, /\/register$/, { name: 'Tex', email, password: 'a long passphrase' });
    const texted = await server().db.read((m) => m.findOneByOrFail(Account, { email }));
    assert.equal(texted.phone, phone);
    assert.equal(texted.phoneVerified, true);
    assert.equal(
      await server().db.read((m) => m.countBy(Credential, { type: 'phone', identifier: phone })),
      0,
      'the link proves the number for the profile, but signs in with nothing',
    );

    const copiedPhone = newPhoneNumber();
    const { url } = await invite({ phone: copiedPhone, deliver: 'none' });
    const other = new UserAgent(server().url);
    const copiedLogin = await signInPageFrom(url!, other);
    const copiedForm = await other.follow(
      new URL(/href="(\/interaction\/[^"]+\/register)"/.exec(copiedLogin.html)![1]!, server().url).href,
    );
    const copiedEmail = `copied-${crypto.randomUUID().slice(0, 8)}@example.test`;
    await other.submit(copiedForm, /\/register$/, { name: 'Cop', email: copiedEmail, password: 'a long passphrase' });
    const copied = await server().db.read((m) => m.findOneByOrFail(Account, { email: copiedEmail }));
    assert.equal(copied.phone, null);
  });

  test('invitations bound to the verified number wait for it at sign-in; one also bound to an e-mail it lacks does not', async () => {
    const phone = newPhoneNumber();
    const other = (await server().tessera.tenants.create(backend, { name: 'Second Co' })).id;
    await invite({ phone });
    await server().tessera.invitations.create(backend, other, {
      roles: ['tenant-user'],
      deliver: 'none',
      phone,
      email: `someone-${crypto.randomUUID().slice(0, 8)}@example.test`,
    });
    const { browser, page } = await startAppSignIn(server(), { scope: 'openid' });
    const review = await withCode(browser, page, phone, 'Rhea');
    assert.match(review.html, /You have invitations/);
    assert.match(review.html, /Umbrella/);
    assert.doesNotMatch(review.html, /Second Co/, 'bound to an e-mail the account has not');
    const rhea = await server().db.read((m) => m.findOneByOrFail(Account, { phone }));
    assert.ok(await server().tessera.redemption.hasPending(rhea.id));
    const umbrellaId = /Umbrella<\/strong>[\s\S]*?name="invitation_id" value="([^"]+)"/.exec(review.html)![1]!;
    await browser.submit(review, /\/review$/, { invitation_id: umbrellaId, decision: 'accept' });
    assert.equal(await server().db.read((m) => m.countBy(Membership, { tenantId, accountId: rhea.id })), 1);
    assert.ok(!(await server().tessera.redemption.hasPending(rhea.id)));
  });

  test('declining a phone-bound invitation ends it for good', async () => {
    const phone = newPhoneNumber();
    const { token } = await invite({ phone });
    const owner = await person(server(), 'Owen');
    await server().db.write((m) => m.update(Account, { id: owner.id }, { phone, phoneVerified: true }));
    await server().tessera.redemption.decline({ token: token! }, owner.id);
    await assert.rejects(
      server().tessera.redemption.accept({ token: token! }, owner.id),
      (error: unknown) => error instanceof InvitationRefused && error.problem === 'declined',
    );
  });
});
