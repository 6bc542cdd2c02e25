// Both ways into an invitation, through HTTP with real tokens and pages, on each database.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import jwt from 'jsonwebtoken';
import {
  Account,
  AuditEvent,
  Invitation,
  InvitationRedemption,
  Membership,
  OutboxMessage,
} from '../db/entities/index.js';
import type { Caller } from '../tenants/access.js';
import type { TenantClaims } from '../tenants/claims.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { type Person, person, signIn } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';
import type { NewInvitation } from './service.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };

describeWithServer('invitation pages and prompts', (server: () => TestServer) => {
  let tenantId: string;

  before(async () => {
    tenantId = (await server().tessera.tenants.create(backend, { name: 'Umbrella' })).id;
  });

  const invite = async (input: Partial<NewInvitation> = {}) =>
    server().tessera.invitations.create(backend, tenantId, { roles: ['tenant-user'], deliver: 'none', ...input });
  const snapshot = () =>
    server().db.read(async (m) => ({
      invitations: JSON.stringify(await m.find(Invitation, { order: { id: 'ASC' } })),
      memberships: await m.count(Membership),
      decisions: await m.count(InvitationRedemption),
    }));
  const isLogin = (page: Page) => /action="\/interaction\/[^"]+\/login"/.test(page.html);

  /** Opens the direct link and signs in from the landing page; returns the page after the password. */
  async function throughLink(
    url: string,
    who: Person,
    browser = new UserAgent(server().url),
  ): Promise<{ browser: UserAgent; page: Page }> {
    const landing = await browser.follow(url);
    const signInHref = /href="([^"]+)"[^>]*>Sign in</.exec(landing.html)?.[1];
    assert.ok(signInHref, `no sign-in link on the landing page: ${landing.html.slice(0, 500)}`);
    let page = await browser.follow(signInHref.replace(/&amp;/g, '&'));
    if (isLogin(page)) page = await browser.submit(page, /\/login$/, { email: who.email, password: who.password });
    return { browser, page };
  }

  test('GET and HEAD of the link change nothing; the token leaves the URL into a cookie keyed by the invitation id', async () => {
    const { id, url } = await invite();
    const before = await snapshot();
    const head = await fetch(url!, { method: 'HEAD', redirect: 'manual' });
    assert.equal(head.status, 303);
    const browser = new UserAgent(server().url);
    const first = await browser.request(url!);
    assert.equal(first.status, 303);
    assert.equal(first.location, `${server().url}/invitations/${id}`);
    assert.ok(browser.cookie(`tessera.inv.${id}`), 'the token is kept in a cookie named for this invitation');
    const landing = await browser.follow(first.location!);
    assert.equal(landing.status, 200);
    assert.match(landing.html, /You are invited to join Umbrella/);
    assert.doesNotMatch(landing.html, /tenant-user|Invited by/, 'before sign-in only the tenant name is shown');
    assert.deepEqual(await snapshot(), before);
  });

  test('pages holding a token are not cached, send no referrer, and cannot be framed', async () => {
    const { url } = await invite();
    for (const target of [url!, `${server().url}/invitations/${crypto.randomUUID()}`]) {
      const res = await fetch(target, { redirect: 'manual' });
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      if (res.status === 200) assert.equal(res.headers.get('cache-control'), 'no-store');
    }
  });

  test('direct link: an existing account signs in, sees tenant, roles and inviter, accepts, and becomes a member by sub', async () => {
    const zoe = await person(server(), 'Zoe');
    const { url, id } = await invite({ roles: ['tenant-admin'] });
    const { browser, page } = await throughLink(url!, zoe);
    assert.match(page.html, /You are invited to join Umbrella/);
    assert.match(page.html, /tenant-admin/);
    assert.match(page.html, /Invited by Backend|Invited by An administrator/);
    assert.match(page.html, new RegExp(`Signed in as <strong class="address">${zoe.email}`));
    const done = await browser.submit(page, /\/invitation$/, { decision: 'accept' });
    assert.match(done.html, /You have joined Umbrella/);
    const membership = await server().db.read((m) => m.findOneByOrFail(Membership, { tenantId, accountId: zoe.id }));
    assert.equal(membership.invitationId, id);
  });

  test('direct link: an existing account declines; an open link stays open for the next person', async () => {
    const [yan, xia] = await Promise.all([person(server(), 'Yan'), person(server(), 'Xia')]);
    const { url } = await invite({ maxUses: 2 });
    const { browser, page } = await throughLink(url!, yan);
    const done = await browser.submit(page, /\/invitation$/, { decision: 'decline' });
    assert.match(done.html, /You declined the invitation/);
    const second = await throughLink(url!, xia);
    assert.match(
      (await second.browser.submit(second.page, /\/invitation$/, { decision: 'accept' })).html,
      /You have joined/,
    );
    assert.equal(await server().db.read((m) => m.countBy(Membership, { tenantId, accountId: yan.id })), 0);
  });

  test('a POST without the CSRF token, or for another invitation than the page showed, is refused and changes nothing', async () => {
    const wes = await person(server(), 'Wes');
    const { url } = await invite();
    const { browser, page } = await throughLink(url!, wes);
    const before = await snapshot();
    const action = /action="(\/interaction\/[^"]+\/invitation)"/.exec(page.html)![1]!;
    assert.equal(
      (
        await browser.request(action, {
          form: { decision: 'accept', invitation_id: /name="invitation_id" value="([^"]+)"/.exec(page.html)![1]! },
        })
      ).status,
      403,
    );
    const mismatch = await browser.submit(page, /\/invitation$/, {
      decision: 'accept',
      invitation_id: crypto.randomUUID(),
    });
    assert.equal(mismatch.status, 400);
    assert.deepEqual(await snapshot(), before);
  });

  test('an app sign-in with invitation= shows the prompt, and the tokens at the end carry the new tenant as active_tenant', async () => {
    const vic = await person(server(), 'Vic');
    const { token } = await invite({ roles: ['tenant-user'] });
    const browser = new UserAgent(server().url);
    const shown: string[] = [];
    const { tokens } = await signIn(server(), vic, {
      browser,
      params: { invitation: token! },
      onPage: async (page) => {
        assert.match(page.html, /You are invited to join Umbrella/);
        shown.push('invitation');
        return browser.submit(page, /\/invitation$/, { decision: 'accept' });
      },
    });
    assert.deepEqual(shown, ['invitation']);
    const claims = tokens.claims() as unknown as TenantClaims;
    assert.equal(claims.active_tenant?.tenant_id, tenantId);
    assert.deepEqual(claims.active_tenant?.roles, ['tenant-user']);
  });

  test('an app sign-in with a bad invitation shows Tessera\'s own page, and "continue without joining" finishes the sign-in', async () => {
    const uma = await person(server(), 'Uma');
    const browser = new UserAgent(server().url);
    const { tokens } = await signIn(server(), uma, {
      browser,
      params: { invitation: 'not-a-token' },
      onPage: async (page) => {
        assert.equal(page.status, 400);
        assert.match(page.html, /This invitation link is broken/);
        return browser.submit(page, /\/invitation$/, { decision: 'skip' });
      },
    });
    assert.deepEqual((tokens.claims() as unknown as TenantClaims).all_tenants, []);
  });

  test('forged, tampered, alg=none, expired, revoked and used-up links each get their own page and change nothing', async () => {
    const fresh = await invite();
    const [h, p, s] = fresh.token!.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, roles: ['tenant-admin'] })).toString('base64url')}.${s}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'tessera-invitation+jwt' })).toString('base64url')}.${p}.`;
    const hmac = jwt.sign(payload, 'guessed-secret', {
      algorithm: 'HS256',
      header: {
        alg: 'HS256',
        typ: 'tessera-invitation+jwt',
        kid: JSON.parse(Buffer.from(h!, 'base64url').toString()).kid,
      },
    });
    const expired = await invite();
    await server().db.write((m) =>
      m.update(Invitation, { id: expired.id }, { expiresAt: new Date(Date.now() - 1000) }),
    );
    const revoked = await invite();
    await server().tessera.invitations.revoke(backend, tenantId, revoked.id);
    const used = await invite();
    await server().tessera.redemption.accept({ token: used.token! }, (await person(server(), 'First')).id);
    const before = await snapshot();
    const cases: [string, number, RegExp][] = [
      [tampered, 400, /not valid/],
      [none, 400, /not valid/],
      [hmac, 400, /not valid/],
      ['abc.def', 400, /broken/],
      [expired.token!, 410, /has expired/],
      [revoked.token!, 410, /was withdrawn/],
      [used.token!, 410, /has been used/],
    ];
    for (const [token, status, message] of cases) {
      const page = await new UserAgent(server().url).request(`/tenants/invitation-tokens/${token}`);
      assert.equal(page.status, status, `${token.slice(0, 20)}… -> ${page.status}`);
      assert.match(page.html, message);
    }
    assert.deepEqual(await snapshot(), before);
  });

  test("a deleted tenant's invitation gets its own page", async () => {
    const doomed = (await server().tessera.tenants.create(backend, { name: 'Doomed Corp' })).id;
    const { token } = await server().tessera.invitations.create(backend, doomed, {
      roles: ['tenant-user'],
      deliver: 'none',
    });
    await server().tessera.tenants.remove(backend, doomed);
    const page = await new UserAgent(server().url).request(`/tenants/invitation-tokens/${token}`);
    assert.equal(page.status, 410);
    assert.match(page.html, /no longer exists/);
  });

  test('a bound invitation opened by the wrong account: its own page with "use another account", nothing changes', async () => {
    const [tom, ana] = await Promise.all([person(server(), 'Tom'), person(server(), 'Ana')]);
    const { url } = await invite({ email: ana.email });
    const { page } = await throughLink(url!, tom);
    assert.equal(page.status, 403);
    assert.match(page.html, /This invitation is for someone else/);
    assert.match(page.html, /Use another account/);
    assert.equal(await server().db.read((m) => m.countBy(Membership, { tenantId, accountId: tom.id })), 0);
  });

  test('registering through a link Tessera mailed marks the e-mail verified and signs in; a copied link does not', async () => {
    const mailedTo = `mailed-${crypto.randomUUID().slice(0, 8)}@example.test`;
    await invite({ email: mailedTo, deliver: 'email' });
    const mail = await server().db.read((m) => m.findOneByOrFail(OutboxMessage, { recipient: mailedTo }));
    const link = /https?:\/\/\S+invitation-tokens\/\S+/.exec(mail.bodyText)![0];
    const browser = new UserAgent(server().url);
    const landing = await browser.follow(link);
    const registerHref = /href="([^"]+)"[^>]*>Create an account</.exec(landing.html)![1]!.replace(/&amp;/g, '&');
    const form = await browser.follow(registerHref);
    assert.match(form.html, new RegExp(`value="${mailedTo}"`), 'the invited e-mail is pre-filled');
    const prompt = await browser.submit(form, /\/register$/, {
      name: 'Mailed',
      email: mailedTo,
      password: 'a long passphrase',
    });
    assert.match(prompt.html, /You are invited to join Umbrella/, 'signed in straight away, at the invitation');
    assert.equal((await server().db.read((m) => m.findOneByOrFail(Account, { email: mailedTo }))).emailVerified, true);
    assert.match((await browser.submit(prompt, /\/invitation$/, { decision: 'accept' })).html, /You have joined/);

    const copiedTo = `copied-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const { url } = await invite({ email: copiedTo, deliver: 'none' });
    const other = new UserAgent(server().url);
    const copiedLanding = await other.follow(url!);
    const copiedForm = await other.follow(
      /href="([^"]+)"[^>]*>Create an account</.exec(copiedLanding.html)![1]!.replace(/&amp;/g, '&'),
    );
    const inbox = await other.submit(copiedForm, /\/register$/, {
      name: 'Copied',
      email: copiedTo,
      password: 'a long passphrase',
    });
    assert.match(inbox.html, /Check your inbox/);
    assert.equal((await server().db.read((m) => m.findOneByOrFail(Account, { email: copiedTo }))).emailVerified, false);
  });

  test('pending invitations bound to the verified e-mail are offered after sign-in: join one, then decide later', async () => {
    const rae = await person(server(), 'Rae');
    const other = (await server().tessera.tenants.create(backend, { name: 'Second Co' })).id;
    await invite({ email: rae.email });
    await server().tessera.invitations.create(backend, other, {
      roles: ['tenant-user'],
      deliver: 'none',
      email: rae.email,
    });
    const browser = new UserAgent(server().url);
    let reviews = 0;
    await signIn(server(), rae, {
      browser,
      onPage: async (page) => {
        assert.match(page.html, /You have invitations/);
        reviews++;
        if (reviews === 1) {
          assert.match(page.html, /Umbrella/);
          assert.match(page.html, /Second Co/);
          const umbrellaId = /Umbrella<\/strong>[\s\S]*?name="invitation_id" value="([^"]+)"/.exec(page.html)![1]!;
          const form = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
          const action = /action="(\/interaction\/[^"]+\/review)"/.exec(page.html)![1]!;
          return browser.follow(action, { form: { _csrf: form, invitation_id: umbrellaId, decision: 'accept' } });
        }
        assert.match(page.html, /You joined Umbrella/);
        assert.doesNotMatch(page.html, /Umbrella<\/strong>/);
        return browser.submit(page, /\/review$/, { decision: 'later' });
      },
    });
    assert.equal(reviews, 2);
    assert.equal(await server().db.read((m) => m.countBy(Membership, { tenantId, accountId: rae.id })), 1);
    assert.equal(await server().db.read((m) => m.countBy(Membership, { tenantId: other, accountId: rae.id })), 0);
    const silent = await signIn(server(), rae, { browser, params: { prompt: 'none' } });
    assert.ok(silent.tokens.access_token, 'never under prompt=none');
  });

  test('race through HTTP: ten signed-in people press Join on one single-use link at once; exactly one becomes a member', async () => {
    const { url, id } = await invite();
    const people = await Promise.all(Array.from({ length: 10 }, (_, i) => person(server(), `Racer${i}`)));
    const ready = [];
    for (const who of people) ready.push(await throughLink(url!, who));
    const pages = await Promise.all(
      ready.map(({ browser, page }) => browser.submit(page, /\/invitation$/, { decision: 'accept' })),
    );
    assert.equal(pages.filter((p) => /You have joined Umbrella/.test(p.html)).length, 1);
    assert.equal(pages.filter((p) => p.status === 410 && /has been used/.test(p.html)).length, 9);
    const joined = await server().db.read((m) => m.countBy(Membership, { invitationId: id }));
    assert.equal(joined, 1);
    assert.equal((await server().db.read((m) => m.findOneByOrFail(Invitation, { id }))).useCount, 1);
  });

  test('every step is audited: created, accepted, declined, revoked, refused (with why)', async () => {
    const types = (await server().db.read((m) => m.findBy(AuditEvent, { tenantId }))).map((e) => e.type);
    for (const t of [
      'invitation.created',
      'invitation.accepted',
      'invitation.declined',
      'invitation.revoked',
      'invitation.delivered',
    ])
      assert.ok(types.includes(t), t);
  });
});
