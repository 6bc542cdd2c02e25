// Signing in through connections, end to end over HTTP with openid-client as the app: an upstream OpenID
// provider and an OAuth 2.0-only one, both on loopback; e-mail verified, unverified and absent; the
// linking rules, each with its own test; failed and replayed upstream answers. On both databases.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Account, Identity, UpstreamSignIn } from '../db/entities/index.js';
import {
  connectTo,
  FEDERATION_ENV,
  followAll,
  startAppSignIn,
  submitAny,
  tokensAt,
  viaUpstream,
} from '../../test/support/federation.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { person } from '../../test/support/tokens.js';
import { startOAuth2Upstream, startOidcUpstream, type Upstream } from '../../test/support/upstream.js';
import { UserAgent } from '../../test/support/user-agent.js';

describeWithServer(
  'Federation: signing in through a connection',
  (server: () => TestServer) => {
    let oidcUp: Upstream;
    let oauthUp: Upstream;
    const callback = (slug: string) => `${server().url}/connections/${slug}/callback`;
    const unique = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;

    before(async () => {
      oidcUp = await startOidcUpstream([callback('acme'), callback('untrusted'), callback('other')]);
      oauthUp = await startOAuth2Upstream();
      await connectTo(server(), oidcUp, { slug: 'acme', name: 'Acme ID' });
      await connectTo(server(), oidcUp, { slug: 'untrusted', name: 'Untrusted ID', trusted: false });
      await connectTo(server(), oauthUp, { slug: 'social', kind: 'oauth2', name: 'Social' });
    });
    after(async () => {
      await oidcUp.close();
      await oauthUp.close();
    });

    const identitiesOf = (accountId: string) => server().db.read((m) => m.findBy(Identity, { accountId }));
    const accountOf = (id: string) => server().db.read((m) => m.findOneByOrFail(Account, { id }));

    test('a first sign-in through an OpenID connection creates an account; the ID token says amr fed and idp; the next one reuses it', async () => {
      const login = unique('ada');
      const email = `${login}@example.test`;
      oidcUp.people.set(login, { email, email_verified: true, name: 'Ada Upstream' });
      const browser = new UserAgent(server().url);
      const { page, rp, verifier } = await startAppSignIn(server(), browser);
      assert.match(page.html, /Sign in with Acme ID/);
      const back = await viaUpstream(browser, page, '/connection/acme', login);
      const tokens = await tokensAt(rp, back, verifier);
      const claims = tokens.claims()!;
      assert.deepEqual(claims.amr, ['fed']);
      assert.equal(claims.idp, 'acme');
      assert.equal(claims.email, email);
      assert.equal(claims.email_verified, true);
      const account = await accountOf(claims.sub);
      assert.equal(account.name, 'Ada Upstream');
      assert.equal((await identitiesOf(claims.sub)).length, 1);

      const again = new UserAgent(server().url);
      const second = await startAppSignIn(server(), again);
      const tokens2 = await tokensAt(
        rp,
        await viaUpstream(again, second.page, '/connection/acme', login),
        second.verifier,
      );
      assert.equal(tokens2.claims()!.sub, claims.sub, 'the same upstream subject signs in to the same account');
    });

    test('an upstream without an e-mail makes an account without one, which signs in and gets tokens', async () => {
      const login = unique('noemail');
      oidcUp.people.set(login, {});
      const browser = new UserAgent(server().url);
      const { page, rp, verifier } = await startAppSignIn(server(), browser);
      const tokens = await tokensAt(rp, await viaUpstream(browser, page, '/connection/acme', login), verifier);
      const claims = tokens.claims()!;
      assert.equal(claims.email, undefined);
      const account = await accountOf(claims.sub);
      assert.equal(account.email, null);
      assert.equal(account.name, 'Acme ID user', 'a name to show to admins, from the connection');
      const userinfo = await fetch(`${server().url}/me`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      assert.equal(userinfo.status, 200);
      assert.equal(((await userinfo.json()) as { sub: string }).sub, claims.sub);
    });

    test('the OAuth 2.0 kind reads the claims from userinfo through the claim mapping', async () => {
      const login = unique('grace');
      oauthUp.people.set(login, { mail: `${login}@social.test`, mail_confirmed: true, display_name: 'Grace Social' });
      const browser = new UserAgent(server().url);
      const { page, rp, verifier } = await startAppSignIn(server(), browser);
      const tokens = await tokensAt(
        rp,
        await viaUpstream(browser, page, '/connection/social', login, { kind: 'oauth2' }),
        verifier,
      );
      const claims = tokens.claims()!;
      assert.equal(claims.idp, 'social');
      assert.equal(claims.email, `${login}@social.test`);
      const [identity] = await identitiesOf(claims.sub);
      assert.equal(identity!.subject, `user-${login}`);
      assert.equal((await accountOf(claims.sub)).name, 'Grace Social');
    });

    test('linking rule: an unverified upstream e-mail of an existing account never links and verifies nothing', async () => {
      const existing = await person(server(), 'Una');
      const login = unique('una');
      oidcUp.people.set(login, { email: existing.email, email_verified: false });
      const browser = new UserAgent(server().url);
      const { page, rp, verifier } = await startAppSignIn(server(), browser);
      const tokens = await tokensAt(rp, await viaUpstream(browser, page, '/connection/acme', login), verifier);
      const claims = tokens.claims()!;
      assert.notEqual(claims.sub, existing.id, 'a separate account, not the existing one');
      assert.equal(claims.email_verified, false);
      assert.equal((await identitiesOf(existing.id)).length, 0);
    });

    test('linking rule: a verified e-mail from a connection not trusted for it counts as unverified and never links', async () => {
      const existing = await person(server(), 'Tess');
      const login = unique('tess');
      oidcUp.people.set(login, { email: existing.email, email_verified: true });
      const browser = new UserAgent(server().url);
      const { page, rp, verifier } = await startAppSignIn(server(), browser);
      const tokens = await tokensAt(rp, await viaUpstream(browser, page, '/connection/untrusted', login), verifier);
      assert.notEqual(tokens.claims()!.sub, existing.id);
      assert.equal(tokens.claims()!.email_verified, false);
    });

    test('linking rule: a verified e-mail of an existing account is never merged silently; after its password the identity is linked', async () => {
      const existing = await person(server(), 'Lin');
      const login = unique('lin');
      oidcUp.people.set(login, { email: existing.email, email_verified: true });
      const browser = new UserAgent(server().url);
      const { page, rp, verifier } = await startAppSignIn(server(), browser);
      const offer = await viaUpstream(browser, page, '/connection/acme', login);
      assert.equal(offer.status, 200);
      assert.match(offer.html, /You already have an account/);
      assert.match(offer.html, new RegExp(existing.email.replace('.', '\\.')));
      assert.equal((await identitiesOf(existing.id)).length, 0, 'nothing is linked before the person signs in');
      assert.equal(
        await server().db.read((m) => m.countBy(Identity, { subject: login })),
        0,
        'no half-made account or identity holds the pending sign-in',
      );

      const wrong = await submitAny(browser, offer, '/link/password', { password: 'not the password' });
      assert.equal(wrong.status, 400);
      assert.equal((await identitiesOf(existing.id)).length, 0);

      const done = await submitAny(browser, wrong, '/link/password', { password: existing.password });
      const tokens = await tokensAt(rp, done, verifier);
      assert.equal(tokens.claims()!.sub, existing.id);
      assert.deepEqual(tokens.claims()!.amr, ['fed', 'pwd']);
      assert.equal((await identitiesOf(existing.id)).length, 1);

      const later = new UserAgent(server().url);
      const next = await startAppSignIn(server(), later);
      const tokens2 = await tokensAt(rp, await viaUpstream(later, next.page, '/connection/acme', login), next.verifier);
      assert.equal(tokens2.claims()!.sub, existing.id, 'from now on the upstream signs in to the linked account');
    });

    test('linking rule: the person may keep a separate account instead', async () => {
      const existing = await person(server(), 'Sep');
      const login = unique('sep');
      oidcUp.people.set(login, { email: existing.email, email_verified: true });
      const browser = new UserAgent(server().url);
      const { page, rp, verifier } = await startAppSignIn(server(), browser);
      const offer = await viaUpstream(browser, page, '/connection/acme', login);
      const tokens = await tokensAt(rp, await submitAny(browser, offer, '/link/separate'), verifier);
      assert.notEqual(tokens.claims()!.sub, existing.id);
      assert.equal(tokens.claims()!.email, existing.email, 'e-mails are not unique');
      assert.equal((await identitiesOf(existing.id)).length, 0);
    });

    test('linking rule: re-authenticating through a connection the account already has links the pending identity', async () => {
      const socialLogin = unique('rea');
      const email = `${socialLogin}@example.test`;
      oauthUp.people.set(socialLogin, { mail: email, mail_confirmed: true });
      const first = new UserAgent(server().url);
      const a = await startAppSignIn(server(), first);
      const owner = (
        await tokensAt(
          a.rp,
          await viaUpstream(first, a.page, '/connection/social', socialLogin, { kind: 'oauth2' }),
          a.verifier,
        )
      ).claims()!.sub;

      const acmeLogin = unique('rea-acme');
      oidcUp.people.set(acmeLogin, { email, email_verified: true });
      const browser = new UserAgent(server().url);
      const { page, rp, verifier } = await startAppSignIn(server(), browser);
      const offer = await viaUpstream(browser, page, '/connection/acme', acmeLogin);
      assert.doesNotMatch(offer.html, /\/link\/password/, 'an account without a password is not offered one');
      const done = await viaUpstream(browser, offer, '/link/connection/social', socialLogin, { kind: 'oauth2' });
      const tokens = await tokensAt(rp, done, verifier);
      assert.equal(tokens.claims()!.sub, owner);
      assert.equal(tokens.claims()!.idp, 'acme');
      assert.equal((await identitiesOf(owner)).length, 2);
    });

    test('a cancelled upstream sign-in shows a clear page, changes nothing, and the sign-in can go on', async () => {
      const login = unique('cancel');
      const browser = new UserAgent(server().url);
      const { page } = await startAppSignIn(server(), browser);
      const before = await server().db.read((m) => m.count(Account));
      const failed = await viaUpstream(browser, page, '/connection/social', login, { kind: 'oauth2', cancel: true });
      assert.equal(failed.status, 400);
      assert.match(failed.html, /The sign-in did not complete/);
      assert.match(failed.html, /Nothing was changed/);
      assert.equal(await server().db.read((m) => m.count(Account)), before);
      const back = /href="(\/interaction\/[^"]+)"/.exec(failed.html)![1]!;
      const login2 = await followAll(browser, new URL(back, server().url).href);
      assert.match(login2.html, /action="\/interaction\/[^"]+\/login"/, 'back on the sign-in page');
    });

    test('an upstream answer is spent once: replaying the callback fails and changes nothing', async () => {
      const login = unique('replay');
      oauthUp.people.set(login, {});
      const browser = new UserAgent(server().url);
      const { page } = await startAppSignIn(server(), browser);
      const atUpstream = await submitAny(browser, page, '/connection/social');
      const { findForm } = await import('../../test/support/user-agent.js');
      const form = findForm(atUpstream.html, '/authorize');
      const redirect = await browser.request(new URL(form.action, atUpstream.url).href, {
        form: { ...form.hidden, login, decision: 'allow' },
      });
      const callbackUrl = redirect.location!;
      const first = await browser.request(callbackUrl);
      assert.equal(first.status, 303);
      const replay = await browser.request(callbackUrl);
      assert.equal(replay.status, 400);
      const rows = await server().db.read((m) => m.countBy(UpstreamSignIn, { status: 'returned' }));
      assert.ok(rows >= 1);
      assert.ok(
        server().logs.every((line) => !line.includes(new URL(callbackUrl).searchParams.get('code')!)),
        'the upstream code is never logged',
      );
      assert.ok(server().logs.every((line) => !line.includes(new URL(callbackUrl).searchParams.get('state')!)));
    });

    test('a callback with an unknown state, or for another connection, fails without a 500', async () => {
      const browser = new UserAgent(server().url);
      assert.equal((await browser.request('/connections/acme/callback?code=x&state=nope')).status, 400);
      assert.equal((await browser.request('/connections/NOT%20A%20SLUG/callback')).status, 400);
      assert.equal((await browser.request('/connections/acme/callback')).status, 400);
    });
  },
  FEDERATION_ENV,
);
