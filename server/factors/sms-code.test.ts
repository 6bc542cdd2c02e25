// Signing up and in with an SMS code through HTTP with openid-client as the app, on both databases: a new
// number gets a sign-up code and a name page, a known one a sign-in code; amr `sms` and the phone claims in the
// ID token; the same page for every number (no enumeration); codes bound to their sign-in; the limits per
// number, per country calling code and the country allow-list; a tenant's policy; the setting that turns it off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mailsTo } from '../../test/support/accounts.js';
import { apiClient } from '../../test/support/api.js';
import { askPhoneCode, newPhoneNumber, signUpByPhone, textedCode } from '../../test/support/phones.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, startAppSignIn } from '../../test/support/tokens.js';
import { findForm, type Page, type UserAgent } from '../../test/support/user-agent.js';
import { Account, Credential } from '../db/entities/index.js';
import { ACR_SINGLE_FACTOR } from '../interaction/assurance.js';

/** What a stranger compares: the page without its CSRF token, its sign-in's uid and the number they typed. */
const comparable = (page: Page, phone: string) =>
  (phone ? page.html.replaceAll(phone, 'NUMBER') : page.html)
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf"')
    .replace(/\/interaction\/[^/"?]+/g, '/interaction/UID');

/** The first-party app's sign-in asking for `scope`, in a new browser (or `browser`). */
const appSignIn =
  (server: () => TestServer, scope = 'openid phone tenants') =>
  (browser?: UserAgent) =>
    startAppSignIn(server(), { scope, browser });

describeWithServer(
  'signing up and in with an SMS code',
  (server: () => TestServer) => {
    const start = appSignIn(server);

    /** Signs up a new number through the pages; its account id. */
    async function signedUp(phone = newPhoneNumber(), name = 'Pat'): Promise<{ phone: string; id: string }> {
      const { browser, page, finish } = await start();
      const claims = await finish(await signUpByPhone(server(), browser, page, phone, name));
      return { phone, id: claims.sub };
    }

    test('a new number signs up with its code and a name: no e-mail, amr sms, a verified phone_number', async () => {
      const phone = newPhoneNumber();
      const { browser, page, finish } = await start();
      assert.match(page.html, /Sign in with your phone/);
      const typed = `${phone.slice(0, 3)} ${phone.slice(3, 6)} ${phone.slice(6)}`;
      const claims = await finish(await signUpByPhone(server(), browser, page, phone, 'Pat Doe', typed));
      assert.deepEqual(claims.amr, ['sms']);
      assert.equal(claims.acr, ACR_SINGLE_FACTOR);
      assert.equal(claims.phone_number, phone, 'normalised to E.164');
      assert.equal(claims.phone_number_verified, true);
      assert.equal(claims.name, undefined, 'name is under scope profile, not asked for here');
      const account = await server().db.read((m) => m.findOneByOrFail(Account, { id: claims.sub }));
      assert.equal(account.email, null);
      assert.equal(account.name, 'Pat Doe');
      const credential = await server().db.read((m) => m.findOneBy(Credential, { type: 'phone', identifier: phone }));
      assert.equal(credential?.accountId, claims.sub);
      const accountPage = await browser.follow('/account');
      assert.match(accountPage.html, /A code texted to your phone/, 'the account page lists the way to sign in');
      assert.match(accountPage.html, new RegExp(`\\${phone}`));
      const [sms] = await mailsTo(server(), phone);
      assert.match(sms!.bodyText, /code to create an account/);
      assert.match(sms!.bodyText, /@127\.0\.0\.1:\d+ #\d{6}$/, 'the WebOTP line');
      assert.ok(!server().logs.some((line) => line.includes(sms!.bodyText.slice(0, 6))), 'the code is never logged');
    });

    test('the number signs in again with a sign-in code, to the same account', async () => {
      const pat = await signedUp();
      const { browser, page, finish } = await start();
      const enter = await askPhoneCode(browser, page, pat.phone);
      const code = await textedCode(server(), pat.phone, 'sign_in');
      const claims = await finish(await browser.submit(enter, /\/phone\/verify$/, { code }));
      assert.equal(claims.sub, pat.id);
      assert.deepEqual(claims.amr, ['sms']);
      assert.equal(await server().db.read((m) => m.countBy(Credential, { identifier: pat.phone })), 1);
    });

    test('no enumeration: a known, a new and a disabled number get the same page; the disabled one no SMS', async () => {
      const known = await signedUp();
      const disabled = await signedUp();
      await server().db.write((m) => m.update(Account, { id: disabled.id }, { disabledAt: new Date() }));
      const before = (await mailsTo(server(), disabled.phone)).length;
      const stranger = newPhoneNumber();
      const pageFor = async (phone: string) => {
        const { browser, page } = await start();
        return askPhoneCode(browser, page, phone);
      };
      const reference = await pageFor(known.phone);
      for (const phone of [stranger, disabled.phone]) {
        const other = await pageFor(phone);
        assert.equal(other.status, reference.status);
        assert.equal(comparable(other, phone), comparable(reference, known.phone));
      }
      await server().tessera.accounts.settled();
      assert.equal((await mailsTo(server(), disabled.phone)).length, before, 'a disabled account gets no code');
      assert.equal((await mailsTo(server(), stranger)).length, 1, 'a new number gets a sign-up code');
    });

    test('a wrong code, and a code of another sign-in, are refused with the same page', async () => {
      const pat = await signedUp();
      const first = await start();
      const enter = await askPhoneCode(first.browser, first.page, pat.phone);
      const code = await textedCode(server(), pat.phone, 'sign_in');
      const wrong = await first.browser.submit(enter, /\/verify$/, {
        code: String((Number(code) + 1) % 1_000_000).padStart(6, '0'),
      });
      assert.equal(wrong.status, 400);
      assert.match(wrong.html, /That code is not right/);
      const second = await start(first.browser);
      const otherEnter = await askPhoneCode(second.browser, second.page, newPhoneNumber());
      const posted = await second.browser.submit(otherEnter, /\/verify$/, { code });
      assert.equal(posted.status, 400);
      assert.equal(comparable(posted, ''), comparable(wrong, ''), 'the same answer as a wrong code');
      const claims = await first.finish(await first.browser.submit(enter, /\/verify$/, { code }));
      assert.equal(claims.sub, pat.id);
    });

    test('a sign-up code is single-use, and asking for another number withdraws it', async () => {
      const { browser, page } = await start();
      const phone = newPhoneNumber();
      const enter = await askPhoneCode(browser, page, phone);
      const code = await textedCode(server(), phone, 'sign_up');
      await askPhoneCode(browser, enter, newPhoneNumber()); // the "send a new code" button, another number
      await server().tessera.accounts.settled();
      const refused = await browser.submit(enter, /\/verify$/, { code });
      assert.equal(refused.status, 400, 'the first number’s code was withdrawn');
      assert.equal(await server().db.read((m) => m.countBy(Credential, { identifier: phone })), 0);
    });

    test('the name page needs a name, and a sign-in whose code was not proven has none to show', async () => {
      const { browser, page, finish } = await start();
      const phone = newPhoneNumber();
      const enter = await askPhoneCode(browser, page, phone);
      const uid = /interaction\/([^/"?]+)/.exec(enter.url)![1]!;
      const early = await browser.request(`/interaction/${uid}/phone/name`);
      assert.equal(early.status, 400, 'no proven number yet');
      const named = await browser.submit(enter, /\/verify$/, { code: await textedCode(server(), phone, 'sign_up') });
      const empty = await browser.submit(named, /\/phone\/name$/, { name: '  ' });
      assert.equal(empty.status, 400);
      assert.match(empty.html, /Enter your name/);
      const long = await browser.submit(named, /\/phone\/name$/, { name: 'x'.repeat(201) });
      assert.equal(long.status, 400);
      const claims = await finish(await browser.submit(named, /\/phone\/name$/, { name: 'Sam' }));
      assert.equal(claims.phone_number, phone);
    });

    test('two sign-ups of one number: one account, which both sign in to; a doubled name post is no 500', async () => {
      const phone = newPhoneNumber();
      const named: { browser: UserAgent; page: Page; finish: (at: Page) => Promise<{ sub: string }> }[] = [];
      for (let i = 0; i < 2; i++) {
        // Both ask before either signs up, so both get a sign-up code for their own sign-in.
        const { browser, page, finish } = await start();
        const enter = await askPhoneCode(browser, page, phone);
        await server().tessera.accounts.settled();
        named.push({ browser, page: enter, finish });
      }
      const codes = (await mailsTo(server(), phone)).map((sms) => /^(\d{6})/.exec(sms.bodyText)![1]!);
      assert.equal(codes.length, 2);
      const namePages = await Promise.all(
        named.map(async (n) => {
          for (const code of codes) {
            const page = await n.browser.submit(n.page, /\/verify$/, { code });
            if (page.status === 200) return page;
          }
          assert.fail('neither code worked in this sign-in');
        }),
      );
      const [first, second] = named;
      const doubled = await Promise.all([
        first!.browser.submit(namePages[0]!, /\/phone\/name$/, { name: 'Twin' }),
        first!.browser.submit(namePages[0]!, /\/phone\/name$/, { name: 'Twin' }),
      ]);
      assert.ok(
        doubled.every((page) => page.status < 500),
        doubled.map((p) => p.status).join(),
      );
      const finished = doubled.find((page) => page.location?.includes('/app/callback'));
      assert.ok(finished, 'one of the doubled posts finished the sign-in');
      const sub = (await first!.finish(finished)).sub;
      const other = await second!.finish(
        await second!.browser.submit(namePages[1]!, /\/phone\/name$/, { name: 'Twin' }),
      );
      assert.equal(other.sub, sub, 'the second sign-up signs in to the account the first made');
      assert.equal(await server().db.read((m) => m.countBy(Credential, { type: 'phone', identifier: phone })), 1);
      assert.equal(await server().db.read((m) => m.countBy(Account, { phone })), 1);
    });

    test("a tenant's policy knows sms: allowed signs in, a policy without it refuses", async () => {
      const api = apiClient(server);
      const manage = await clientToken(server(), { manage: true });
      const [sam, kim] = [await signedUp(), await signedUp()];
      // tenantWith reads only the members' ids.
      const open = await api.tenantWith(manage, 'Open', [], [sam as unknown as Person]);
      const strict = await api.tenantWith(manage, 'Strict', [], [kim as unknown as Person]);
      await api.call('PUT', `/api/tenants/${open}/sign-in-policy`, manage, { allowed_first_factors: ['sms'] });
      await api.call('PUT', `/api/tenants/${strict}/sign-in-policy`, manage, { allowed_first_factors: ['pwd'] });
      const withCode = async (phone: string) => {
        const { browser, page, finish } = await start();
        const enter = await askPhoneCode(browser, page, phone);
        const code = await textedCode(server(), phone, 'sign_in');
        return { page: await browser.submit(enter, /\/verify$/, { code }), finish };
      };
      const inOpen = await withCode(sam.phone);
      assert.equal(((await inOpen.finish(inOpen.page)).active_tenant as { tenant_id: string }).tenant_id, open);
      const inStrict = await withCode(kim.phone);
      assert.ok(!inStrict.page.location?.includes('/app/callback'));
      assert.match(inStrict.page.html, /Sign in another way/);
    });

    test('bad input gets a page with 400, never a 500, and sends nothing', async () => {
      const { browser, page } = await start();
      const ask = await browser.submit(page, /\/phone$/);
      const { action, hidden } = findForm(ask.html, /\/send$/);
      for (const phone of ['not a number', '015112345678', '+1 900 555 0100', 'x'.repeat(101)]) {
        const refused = await browser.request(action, { form: { ...hidden, phone } });
        assert.equal(refused.status, 400, phone);
        if (phone.length < 100) assert.match(refused.html, /Enter a mobile number with its country code/);
      }
      const extra = await browser.request(action, { form: { ...hidden, phone: newPhoneNumber(), admin: '1' } });
      assert.equal(extra.status, 400);
      const verify = action.replace(/send$/, 'verify');
      assert.equal((await browser.request(verify, { form: { ...hidden } })).status, 400, 'no code');
      assert.equal((await browser.request(verify, { form: { ...hidden, code: 'x'.repeat(40) } })).status, 400);
    });

    test('asking is limited per number, the same whether or not it has an account', async () => {
      const known = await signedUp();
      for (const phone of [known.phone, newPhoneNumber()]) {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const { browser, page } = await start();
          statuses.push((await askPhoneCode(browser, page, phone)).status);
        }
        // The known number spent one ask on its sign-up.
        assert.deepEqual(statuses, phone === known.phone ? [200, 200, 429, 429] : [200, 200, 200, 429], phone);
      }
    });
  },
  { RATE_LIMIT_LOGIN: '3' },
);

describeWithServer(
  'SMS codes only to allowed countries, within an hourly budget per country',
  (server: () => TestServer) => {
    const start = appSignIn(server, 'openid');

    test('a number outside SMS_COUNTRIES is told so and gets nothing; +1 and GB numbers get codes', async () => {
      const german = newPhoneNumber();
      const { browser, page } = await start();
      const refused = await askPhoneCode(browser, page, german);
      assert.equal(refused.status, 400);
      assert.match(refused.html, /cannot send codes to numbers in that country/);
      for (const phone of ['+12025550123', '+447400123456']) {
        const { browser, page } = await start();
        assert.equal((await askPhoneCode(browser, page, phone)).status, 200, phone);
      }
      await server().tessera.accounts.settled();
      assert.equal((await mailsTo(server(), german)).length, 0);
      assert.equal((await mailsTo(server(), '+447400123456')).length, 1);
    });

    test("past a calling code's hourly budget asking is refused, whichever number of that code", async () => {
      const statuses: number[] = [];
      for (const phone of ['+12025550124', '+12025550125', '+12025550126']) {
        const { browser, page } = await start();
        statuses.push((await askPhoneCode(browser, page, phone)).status);
      }
      // The test before spent one of +1's three.
      assert.deepEqual(statuses, [200, 429, 429]);
      const { browser, page } = await start();
      assert.equal((await askPhoneCode(browser, page, '+447400123457')).status, 200, 'another country is not affected');
    });

    test('an invitation is texted only to an allowed country; it may still be bound to any number', async () => {
      const backend = { kind: 'client', clientId: 'backend', manage: true } as const;
      const { invitations, tenants } = server().tessera;
      const tenantId = (await tenants.create(backend, { name: 'Abroad' })).id;
      const invite = (phone: string, deliver: 'sms' | 'none') =>
        invitations.create(backend, tenantId, { roles: ['tenant-user'], phone, deliver });
      await assert.rejects(invite(newPhoneNumber(), 'sms'), { status: 422, code: 'sms_country_not_allowed' });
      assert.equal((await invite('+447400123458', 'sms')).status, 'pending');
      assert.equal((await invite(newPhoneNumber(), 'none')).status, 'pending', 'bound, handed over by the app');
    });
  },
  { SMS_COUNTRIES: '+1,gb', SMS_PER_COUNTRY_PER_HOUR: '2' },
);

describeWithServer(
  'SMS codes turned off',
  (server: () => TestServer) => {
    const start = appSignIn(server, 'openid');
    test('SMS_CODES=false: no button on the sign-in page, and its routes are not there', async () => {
      const { browser, page } = await start();
      assert.doesNotMatch(page.html, /\/phone"/);
      const { hidden } = findForm(page.html, /\/login$/);
      const uid = /interaction\/([^/"?]+)/.exec(page.url)![1]!;
      const posted = await browser.request(`/interaction/${uid}/phone`, { form: { _csrf: hidden._csrf! } });
      assert.equal(posted.status, 404);
    });
  },
  { SMS_CODES: 'false' },
);

describeWithServer(
  'identity-first: a phone number in the first field goes to its code',
  (server: () => TestServer) => {
    const start = appSignIn(server);

    test('a known number signs in with its code, a new one gets the same page; an address gets the password step', async () => {
      const known = newPhoneNumber();
      const first = await start();
      const owner = await first.finish(await signUpByPhone(server(), first.browser, first.page, known, 'Kim'));

      const { browser, page, finish } = await start();
      assert.match(page.html, /E-mail address or mobile number/);
      const typed = `${known.slice(0, 3)} ${known.slice(3, 6)} ${known.slice(6)}`;
      const enter = await browser.submit(page, /\/identify$/, { email: typed });
      assert.equal(enter.status, 200);
      assert.match(enter.html, /action="\/interaction\/[^"]+\/phone\/verify"/);
      const stranger = await start();
      const fresh = newPhoneNumber();
      const other = await stranger.browser.submit(stranger.page, /\/identify$/, { email: fresh });
      assert.equal(comparable(enter, known), comparable(other, fresh), 'the same page for a number with no account');
      const done = await browser.submit(enter, /\/phone\/verify$/, {
        code: await textedCode(server(), known, 'sign_in'),
      });
      const claims = await finish(done);
      assert.equal(claims.sub, owner.sub);
      assert.deepEqual(claims.amr, ['sms']);

      const byAddress = await start();
      const password = await byAddress.browser.submit(byAddress.page, /\/identify$/, { email: 'kim@example.test' });
      assert.match(password.html, /name="password"/, 'an address gets the password step');
      const madeUp = await byAddress.browser.submit(byAddress.page, /\/identify$/, { email: '+49 000 000' });
      assert.equal(madeUp.status, 400);
      assert.match(madeUp.html, /Enter a mobile number with its country code/);
    });
  },
  { SIGN_IN_IDENTITY_FIRST: 'true' },
);

describeWithServer(
  'identity-first without SMS codes',
  (server: () => TestServer) => {
    test('the first field asks for an address only, and a number typed there is not texted', async () => {
      const { browser, page } = await appSignIn(server)();
      assert.match(page.html, /type="email"/);
      assert.doesNotMatch(page.html, /mobile number/);
      const phone = newPhoneNumber();
      const next = await browser.submit(page, /\/identify$/, { email: phone });
      assert.match(next.html, /name="password"/);
      await server().tessera.accounts.settled();
      assert.equal((await mailsTo(server(), phone)).length, 0);
    });
  },
  { SIGN_IN_IDENTITY_FIRST: 'true', SMS_CODES: 'false' },
);
