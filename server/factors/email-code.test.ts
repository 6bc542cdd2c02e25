// Signing in with an e-mail code through HTTP with openid-client as the app, on both databases: the button,
// the address, the code read from the outbox (or the mailed link, which changes nothing until posted), amr
// `otp` in the ID token, the second factor and a tenant's policy after it, the same answer for addresses
// without an account, codes bound to their sign-in, and the limits on asking and guessing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as oidc from 'openid-client';
import { Secret, TOTP } from 'otpauth';
import { mailsTo } from '../../test/support/accounts.js';
import { apiClient } from '../../test/support/api.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, person, startAppSignIn } from '../../test/support/tokens.js';
import { findForm, type Page, UserAgent } from '../../test/support/user-agent.js';
import { IsNull } from 'typeorm';
import { Account, OneTimeCode } from '../db/entities/index.js';
import { ACR_MFA, ACR_SINGLE_FACTOR } from '../interaction/assurance.js';
import { createClient } from '../oidc/clients.js';

const insecure = { execute: [oidc.allowInsecureRequests] };

/** What a stranger compares: the page without its CSRF token and without the address they typed. */
const comparable = (page: Page, email: string) =>
  (email ? page.html.replaceAll(email, 'ADDRESS') : page.html)
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf"')
    .replace(/\/interaction\/[^/"?]+/g, '/interaction/UID');

describeWithServer(
  'signing in with an e-mail code',
  (server: () => TestServer) => {
    const redirectUri = () => `${server().url}/app/callback`;
    const start = (browser?: UserAgent) => startAppSignIn(server(), { browser });

    /** From the sign-in page through the button and the address form: the page that asks for the code. */
    async function askCode(browser: UserAgent, login: Page, email: string): Promise<Page> {
      const ask = await browser.submit(login, /\/email-code$/);
      assert.equal(ask.status, 200);
      return browser.submit(ask, /\/email-code\/send$/, { email });
    }

    /** The code mailed to `email` (written after the answer); `except` an earlier one (mails may share a second). */
    async function mailedCode(email: string, except?: string): Promise<{ code: string; link: string }> {
      await server().tessera.accounts.settled();
      const found = (await mailsTo(server(), email))
        .map((mail) => ({
          code: /^\d{6}$/m.exec(mail.bodyText)?.[0],
          link: /https?:\/\/\S+\/email-code\/link\?\S+/.exec(mail.bodyText)?.[0],
        }))
        .filter((mail) => mail.code !== except)
        .at(-1);
      assert.ok(found?.code && found.link, `no mail with a code and a link to ${email}`);
      return { code: found.code, link: found.link };
    }

    test('a person signs in with the code from their mail: amr otp, one factor', async () => {
      const ada = await person(server(), 'Ada');
      const { browser, page, finish } = await start();
      assert.match(page.html, /Sign in with a code by e-mail/);
      const enter = await askCode(browser, page, ada.email.toUpperCase());
      assert.equal(enter.status, 200);
      assert.match(enter.html, /action="\/interaction\/[^"]+\/email-code\/verify"/);
      const { code } = await mailedCode(ada.email);
      const claims = await finish(await browser.submit(enter, /\/verify$/, { code }));
      assert.equal(claims.sub, ada.id);
      assert.deepEqual(claims.amr, ['otp']);
      assert.equal(claims.acr, ACR_SINGLE_FACTOR);
      assert.ok(!server().logs.some((line) => line.includes(code)), 'the code is never logged');
    });

    test('the mailed link is built from the issuer, opening it changes nothing, and its button signs in', async () => {
      const ada = await person(server(), 'Ada');
      const { browser, page, finish } = await start();
      await askCode(browser, page, ada.email);
      const { code, link } = await mailedCode(ada.email);
      assert.ok(link.startsWith(`${server().url}/interaction/`));
      const opened = await browser.request(link);
      assert.equal(opened.status, 200);
      const again = await browser.request(link);
      assert.equal(findForm(again.html, /\/verify$/).hidden.code, code, 'the code is still there to post');
      const claims = await finish(await browser.submit(again, /\/verify$/));
      assert.deepEqual(claims.amr, ['otp']);
      const elsewhere = await new UserAgent(server().url).request(link);
      assert.equal(elsewhere.status, 400, 'another browser has no such sign-in');
      const logged = server().logs.filter((line) => line.includes('/email-code/link'));
      assert.ok(
        logged.length > 0 && !logged.some((line) => line.includes(code)),
        'the link is logged without its code',
      );
    });

    test('no enumeration: an unknown, an unconfirmed and a disabled address get the same page, and no mail', async () => {
      const ada = await person(server(), 'Ada');
      const unconfirmed = await person(server(), 'Uma');
      await server().db.write((m) => m.update(Account, { id: unconfirmed.id }, { emailVerified: false }));
      const disabled = await person(server(), 'Dora');
      await server().db.write((m) => m.update(Account, { id: disabled.id }, { disabledAt: new Date() }));
      const stranger = `nobody-${crypto.randomUUID().slice(0, 8)}@example.test`;

      const pageFor = async (email: string) => {
        const { browser, page } = await start();
        return askCode(browser, page, email);
      };
      const known = await pageFor(ada.email);
      for (const email of [stranger, unconfirmed.email, disabled.email]) {
        const other = await pageFor(email);
        assert.equal(other.status, known.status);
        assert.equal(comparable(other, email), comparable(known, ada.email));
      }
      await server().tessera.accounts.settled();
      for (const email of [stranger, unconfirmed.email, disabled.email])
        assert.equal((await mailsTo(server(), email)).length, 0, `no mail to ${email}`);
      assert.equal((await mailsTo(server(), ada.email)).length, 1);
    });

    test('a wrong code, and a code of another sign-in, are refused with the same page as no code at all', async () => {
      const ada = await person(server(), 'Ada');
      const first = await start();
      const enter = await askCode(first.browser, first.page, ada.email);
      const { code } = await mailedCode(ada.email);
      const wrong = await first.browser.submit(enter, /\/verify$/, {
        code: String((Number(code) + 1) % 1_000_000).padStart(6, '0'),
      });
      assert.equal(wrong.status, 400);
      assert.match(wrong.html, /That code is not right/);

      // The same browser starts another sign-in and posts the first sign-in's code to it.
      const second = await start(first.browser);
      const otherEnter = await second.browser.submit(second.page, /\/email-code$/);
      const refused = await second.browser.submit(otherEnter, /email-code\/send$/, {
        email: `nobody-${crypto.randomUUID().slice(0, 8)}@example.test`,
      });
      const posted = await second.browser.submit(refused, /\/verify$/, { code });
      assert.equal(posted.status, 400);
      assert.equal(comparable(posted, ''), comparable(wrong, ''), 'the same answer as a wrong code');

      // The first sign-in still takes its code (the wrong guess counted, but one is not five).
      const claims = await first.finish(await first.browser.submit(enter, /\/verify$/, { code }));
      assert.equal(claims.sub, ada.id);
    });

    test('after five wrong guesses even the right code is refused; a new code works', async () => {
      const ada = await person(server(), 'Ada');
      const { browser, page, finish } = await start();
      const enter = await askCode(browser, page, ada.email);
      const { code } = await mailedCode(ada.email);
      const wrong = String((Number(code) + 7) % 1_000_000).padStart(6, '0');
      for (let i = 0; i < 5; i++) assert.equal((await browser.submit(enter, /\/verify$/, { code: wrong })).status, 400);
      assert.equal((await browser.submit(enter, /\/verify$/, { code })).status, 400);
      const anew = await browser.submit(await browser.submit(enter, /\/email-code$/), /\/send$/, { email: ada.email });
      const fresh = await mailedCode(ada.email, code);
      assert.equal((await finish(await browser.submit(anew, /\/verify$/, { code: fresh.code }))).sub, ada.id);
    });

    test('a person with an authenticator app is asked for it after the e-mail code: amr otp mfa', async () => {
      const ada = await person(server(), 'Ada');
      const { secret } = await server().tessera.factors.totp.startEnrolment(ada.id, ada.email);
      const totp = (steps: number) =>
        TOTP.generate({ secret: Secret.fromBase32(secret.replace(/\s/g, '')), timestamp: Date.now() + steps * 30_000 });
      assert.ok(await server().tessera.factors.totp.confirmEnrolment(ada.id, totp(-1)));
      const { browser, page, finish } = await start();
      const enter = await askCode(browser, page, ada.email);
      const { code } = await mailedCode(ada.email);
      const step = await browser.submit(enter, /\/verify$/, { code });
      assert.equal(step.status, 200);
      assert.ok(!step.location, 'no code for the app before the second factor');
      assert.match(step.html, /second-factor\/totp/);
      const claims = await finish(await browser.submit(step, /second-factor\/totp$/, { code: totp(0) }));
      assert.deepEqual(claims.amr, ['otp', 'mfa']);
      assert.equal(claims.acr, ACR_MFA);
    });

    test("a tenant's policy knows the e-mail code: otp allowed signs in, a policy without it refuses", async () => {
      const api = apiClient(server);
      const manage = await clientToken(server(), { manage: true });
      const [eve, fay]: Person[] = [await person(server(), 'Eve'), await person(server(), 'Fay')];
      const open = await api.tenantWith(manage, 'Open', [], [eve]);
      const strict = await api.tenantWith(manage, 'Strict', [], [fay]);
      const allowed = await api.call('PUT', `/api/tenants/${open}/sign-in-policy`, manage, {
        allowed_first_factors: ['otp'],
      });
      assert.equal(allowed.status, 200);
      await api.call('PUT', `/api/tenants/${strict}/sign-in-policy`, manage, { allowed_first_factors: ['pwd'] });

      const withCode = async (who: Person) => {
        const { browser, page, finish } = await start();
        const enter = await askCode(browser, page, who.email);
        const { code } = await mailedCode(who.email);
        return { page: await browser.submit(enter, /\/verify$/, { code }), finish };
      };
      const inOpen = await withCode(eve);
      const claims = await inOpen.finish(inOpen.page);
      assert.equal((claims.active_tenant as { tenant_id: string }).tenant_id, open);
      const inStrict = await withCode(fay);
      assert.ok(!inStrict.page.location?.startsWith(redirectUri()));
      assert.match(inStrict.page.html, /Sign in another way/);
    });

    test('bad input gets a page with 400, never a 500, and asks for nothing', async () => {
      const { browser, page } = await start();
      const ask = await browser.submit(page, /\/email-code$/);
      const { action, hidden } = findForm(ask.html, /\/send$/);
      const notAnAddress = await browser.request(action, { form: { ...hidden, email: 'not an address' } });
      assert.equal(notAnAddress.status, 400);
      assert.match(notAnAddress.html, /Enter an e-mail address/);
      const tooLong = await browser.request(action, { form: { ...hidden, email: `${'a'.repeat(400)}@example.test` } });
      assert.equal(tooLong.status, 400);
      const extra = await browser.request(action, { form: { ...hidden, email: 'a@example.test', admin: '1' } });
      assert.equal(extra.status, 400);
      const verify = action.replace(/send$/, 'verify');
      assert.equal((await browser.request(verify, { form: { ...hidden } })).status, 400, 'no code');
      assert.equal((await browser.request(verify, { form: { ...hidden, code: 'x'.repeat(40) } })).status, 400);
      const noCode = await browser.request(action.replace(/send$/, 'link'));
      assert.equal(noCode.status, 200, 'a link without its code shows the page to type it');
      assert.match(noCode.html, /email-code\/verify/);
    });

    test('asking is limited per address, the same whether or not it has an account', async () => {
      const ada = await person(server(), 'Ada');
      const stranger = `nobody-${crypto.randomUUID().slice(0, 8)}@example.test`;
      for (const email of [ada.email, stranger]) {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const { browser, page } = await start();
          statuses.push((await askCode(browser, page, email)).status);
        }
        assert.deepEqual(statuses, [200, 200, 200, 429], email);
      }
    });
  },
  { RATE_LIMIT_LOGIN: '3' },
);

/** A sign-in page of a first-party app, in a new browser (for the suites below, with their own settings). */
async function loginPage(server: TestServer): Promise<{ browser: UserAgent; login: Page }> {
  const { id, secret } = await createClient(server.db, {
    name: 'Portal',
    redirectUris: [`${server.url}/app/callback`],
    firstParty: true,
  });
  const app = await oidc.discovery(new URL(server.url), id, secret, undefined, insecure);
  const browser = new UserAgent(server.url);
  const url = oidc.buildAuthorizationUrl(app, {
    redirect_uri: `${server.url}/app/callback`,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  });
  return { browser, login: await browser.follow(url.href) };
}

describeWithServer(
  'guessing e-mail codes from one address',
  (server: () => TestServer) => {
    test("past the address's hourly mail limit no mail goes out, and no code is left open to guessing", async () => {
      const ada = await person(server(), 'Ada');
      for (let i = 0; i < 2; i++) {
        const { browser, login } = await loginPage(server());
        const sent = await browser.submit(await browser.submit(login, /\/email-code$/), /\/send$/, {
          email: ada.email,
        });
        assert.equal(sent.status, 200, 'the page is the same past the limit');
        await server().tessera.accounts.settled();
        const subject = /interaction\/([^/"]+)\//.exec(sent.html)![1]!;
        const open = await server().db.read((m) => m.countBy(OneTimeCode, { subject, consumedAt: IsNull() }));
        assert.equal(open, i === 0 ? 1 : 0);
      }
      assert.equal((await mailsTo(server(), ada.email)).length, 1);
    });

    test('codes typed from one address are limited, whichever sign-in they go to', async () => {
      const { browser, login } = await loginPage(server());
      const ask = await browser.submit(login, /\/email-code$/);
      const enter = await browser.submit(ask, /\/send$/, { email: 'someone@example.test' });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await browser.submit(enter, /\/verify$/, { code: '000000' })).status);
      assert.ok(statuses.includes(429), `no 429 in ${statuses}`);
      assert.deepEqual(statuses.slice(statuses.indexOf(429)), Array(8 - statuses.indexOf(429)).fill(429));
    });
  },
  { RATE_LIMIT_IP: '6', MAIL_PER_RECIPIENT_PER_HOUR: '1' },
);

describeWithServer(
  'e-mail codes turned off',
  (server: () => TestServer) => {
    test('EMAIL_CODES=false: no button on the sign-in page, and its routes are not there', async () => {
      const { browser, login } = await loginPage(server());
      assert.doesNotMatch(login.html, /email-code/);
      const { hidden } = findForm(login.html, /\/login$/);
      const uid = /interaction\/([^/"?]+)/.exec(login.url)![1]!;
      const posted = await browser.request(`/interaction/${uid}/email-code`, { form: { _csrf: hidden._csrf! } });
      assert.equal(posted.status, 404);
    });
  },
  { EMAIL_CODES: 'false' },
);
