// Account pre-hijacking: someone registers another person's address with their own password. The
// confirmation must prove the credential as well as the mailbox, the real owner gets a way in, and a
// credential change ends everything the other party had (sessions, refresh tokens, grants).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as oidc from 'openid-client';
import { Account, GrantTenant } from '../db/entities/index.js';
import { insertMembership } from '../tenants/service.js';
import { appLoginPage, linkIn, mailsTo, registerThroughPages } from '../../test/support/accounts.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { firstPartyApp, person, signIn } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';

const MALLORY = { name: 'Mallory Example', password: 'the attacker knows this one' };
const VICTOR_PASSWORD = 'the real owner chose this';

describeWithServer('a pre-registered address and its real owner', (server: () => TestServer) => {
  let rp: oidc.Configuration;

  before(async () => {
    rp = await firstPartyApp(server());
  });

  const victimAddress = () => `victor-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const accountOf = (email: string) => server().db.read((m) => m.findOneByOrFail(Account, { email }));
  const signInAs = async (browser: UserAgent, email: string, password: string): Promise<Page> =>
    browser.submit(await appLoginPage(server(), rp, browser), /\/login$/, { email, password });
  const signsIn = (page: Page) => page.location?.includes('/app/callback?code=') ?? false;

  /** Mallory registers `email` in her own browser; returns that browser. */
  async function malloryPreRegisters(email: string): Promise<UserAgent> {
    const mallory = new UserAgent(server().url);
    assert.match((await registerThroughPages(server(), rp, mallory, { ...MALLORY, email })).html, /Check your inbox/);
    return mallory;
  }

  test('the verification mail does not greet the reader with the name the registrant typed, and says what to do if they did not register', async () => {
    const email = victimAddress();
    await malloryPreRegisters(email);
    const [mail] = await mailsTo(server(), email);
    assert.ok(mail);
    assert.doesNotMatch(mail.bodyText, /Mallory/);
    assert.doesNotMatch(mail.bodyHtml ?? '', /Mallory/);
    assert.match(mail.bodyText, /If you did not create this account/);
    await linkIn(server(), email, '/reset-password');
  });

  test('a confirmation link opened in another browser asks for the account password, and confirms nothing without the right one', async () => {
    const email = victimAddress();
    await malloryPreRegisters(email);
    const victor = new UserAgent(server().url);
    const page = await victor.follow(await linkIn(server(), email, '/verify-email'));
    assert.equal(page.status, 200);
    assert.match(page.html, /name="password"/, 'the page asks for the password');

    const bare = await victor.submit(page, '/verify-email');
    assert.equal(bare.status, 400);
    const wrong = await victor.submit(page, '/verify-email', { password: 'a guess that is wrong' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /role="alert"/);
    assert.equal((await accountOf(email)).emailVerified, false, 'the mailbox alone confirms nothing');
    assert.equal(
      (await signInAs(new UserAgent(server().url), email, MALLORY.password)).status,
      400,
      'Mallory still cannot sign in',
    );
  });

  test('with the account password the link confirms the address in another browser; in the registering browser no password is needed', async () => {
    const elsewhere = victimAddress();
    await malloryPreRegisters(elsewhere);
    const other = new UserAgent(server().url);
    const page = await other.follow(await linkIn(server(), elsewhere, '/verify-email'));
    assert.match((await other.submit(page, '/verify-email', { password: MALLORY.password })).html, /is confirmed/);
    assert.equal((await accountOf(elsewhere)).emailVerified, true);

    const same = victimAddress();
    const registering = await malloryPreRegisters(same);
    const confirm = await registering.follow(await linkIn(server(), same, '/verify-email'));
    assert.doesNotMatch(confirm.html, /name="password"/);
    assert.match((await registering.submit(confirm, '/verify-email')).html, /is confirmed/);
  });

  test('the real owner takes the address over from the link: a password and name of their own, the address confirmed, Mallory locked out', async () => {
    const email = victimAddress();
    const mallory = await malloryPreRegisters(email);
    const link = await linkIn(server(), email, '/verify-email');
    const victor = new UserAgent(server().url);
    const form = await victor.submit(await victor.follow(link), '/verify-email/new-password');
    assert.match(form.html, /Choose a new password/);
    assert.doesNotMatch(form.html, /Mallory/, "the name Mallory typed is not offered as the owner's");
    const done = await victor.submit(form, '/reset-password/new', { name: 'Victor Owner', password: VICTOR_PASSWORD });
    assert.match(done.html, /password is changed/);

    const account = await accountOf(email);
    assert.equal(account.emailVerified, true);
    assert.equal(account.name, 'Victor Owner');
    assert.equal(
      (await signInAs(new UserAgent(server().url), email, MALLORY.password)).status,
      400,
      "Mallory's password is gone",
    );
    assert.ok(signsIn(await signInAs(new UserAgent(server().url), email, VICTOR_PASSWORD)));
    const stale = await mallory.follow(link);
    assert.equal(stale.status, 400, 'the old confirmation link is spent, even in the registering browser');
  });

  test('registering an address that an unconfirmed account holds answers the same and mails the owner a link to take it over', async () => {
    const email = victimAddress();
    const mallory = await malloryPreRegisters(email);
    const victor = new UserAgent(server().url);
    const again = await registerThroughPages(server(), rp, victor, {
      name: 'Victor',
      email,
      password: VICTOR_PASSWORD,
    });
    assert.match(again.html, /Check your inbox/);
    assert.ok(
      victor.cookie('tessera.registration') && mallory.cookie('tessera.registration'),
      'both browsers get the same cookies: nothing tells them apart',
    );

    const form = await victor.follow(await linkIn(server(), email, '/reset-password/new'));
    const done = await victor.submit(form, '/reset-password/new', { name: 'Victor', password: VICTOR_PASSWORD });
    assert.match(done.html, /password is changed/);
    assert.equal((await signInAs(new UserAgent(server().url), email, MALLORY.password)).status, 400);
    assert.ok(signsIn(await signInAs(new UserAgent(server().url), email, VICTOR_PASSWORD)));
    assert.equal(await server().db.read((m) => m.countBy(Account, { email })), 1);
  });

  test("registering through an invitation mailed to the address replaces the unconfirmed account at once: the owner's password and name, signed in", async () => {
    const email = victimAddress();
    await malloryPreRegisters(email);
    const backend = { kind: 'client', clientId: 'test', manage: true } as const;
    const tenant = await server().tessera.tenants.create(backend, { name: 'Umbrella' });
    await server().tessera.invitations.create(backend, tenant.id, { roles: ['tenant-user'], deliver: 'email', email });
    const invitation = (await mailsTo(server(), email))
      .map((m) => /https?:\/\/\S+invitation-tokens\/\S+/.exec(m.bodyText)?.[0])
      .find(Boolean);
    assert.ok(invitation, 'the invitation was mailed');

    const victor = new UserAgent(server().url);
    const landing = await victor.follow(invitation);
    const form = await victor.follow(
      /href="([^"]+)"[^>]*>Create an account</.exec(landing.html)![1]!.replace(/&amp;/g, '&'),
    );
    const prompt = await victor.submit(form, /\/register$/, { name: 'Victor', email, password: VICTOR_PASSWORD });
    assert.match(prompt.html, /You are invited to join Umbrella/, 'signed in straight away');
    const account = await accountOf(email);
    assert.equal(account.emailVerified, true);
    assert.equal(account.name, 'Victor');
    assert.equal((await signInAs(new UserAgent(server().url), email, MALLORY.password)).status, 400);
  });
});

describeWithServer('a password reset ends what was signed in before', (server: () => TestServer) => {
  test("after a reset, the old browser session gets no code under prompt=none, the refresh token is refused, and the grant's tenant is forgotten", async () => {
    const backend = { kind: 'client', clientId: 'test', manage: true } as const;
    const who = await person(server(), 'Ruth');
    const tenants = [
      await server().tessera.tenants.create(backend, { name: 'Acme' }),
      await server().tessera.tenants.create(backend, { name: 'Globex' }),
    ];
    for (const tenant of tenants)
      await server().db.transaction((m) => insertMembership(m, tenant.id, who.id, ['tenant-user'], null));
    const browser = new UserAgent(server().url);
    const { tokens, rp } = await signIn(server(), who, { browser, params: { tenant_hint: tenants[1]!.id } });
    assert.ok(tokens.refresh_token, 'a refresh token was issued');
    const silent = await signIn(server(), who, { browser, params: { prompt: 'none' } });
    assert.ok(silent.tokens.access_token, 'before the reset the session answers prompt=none');
    assert.ok(
      (await server().db.read((m) => m.countBy(GrantTenant, { accountId: who.id }))) > 0,
      'the grant remembers its tenant',
    );

    const owner = new UserAgent(server().url);
    await owner.submit(await owner.follow('/reset-password'), '/reset-password', { email: who.email });
    const form = await owner.follow(await linkIn(server(), who.email, '/reset-password/new'));
    assert.match(
      (await owner.submit(form, '/reset-password/new', { password: 'a fresh passphrase here' })).html,
      /password is changed/,
    );

    await assert.rejects(
      signIn(server(), who, { browser, params: { prompt: 'none' } }),
      (e: oidc.AuthorizationResponseError) => e.error === 'login_required',
    );
    await assert.rejects(
      oidc.refreshTokenGrant(rp, tokens.refresh_token!),
      (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
    );
    assert.equal(await server().db.read((m) => m.countBy(GrantTenant, { accountId: who.id })), 0);
  });
});
