// The second-factor step through HTTP with openid-client as the app, on both databases: a TOTP code or a
// recovery code after the password, amr and acr in the ID token, acr_values asking a signed-in person for
// a second factor (step-up), an app that requires one (enrolment with the QR page's key), a passkey as the
// only factor, code guessing limited, and a tenant whose sign-in policy requires a second factor.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as oidc from 'openid-client';
import { TOTP, Secret } from 'otpauth';
import { apiClient } from '../../test/support/api.js';
import { SoftAuthenticator } from '../../test/support/authenticator.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, person } from '../../test/support/tokens.js';
import { findForm, type Page, UserAgent } from '../../test/support/user-agent.js';
import { ACR_MFA, ACR_SINGLE_FACTOR } from '../interaction/assurance.js';
import { createClient } from '../oidc/clients.js';
import { AssertionResponse, AttestationResponse } from './passkeys.js';

const insecure = { execute: [oidc.allowInsecureRequests] };
const codeAt = (secret: string, offsetSteps = 0) =>
  TOTP.generate({ secret: Secret.fromBase32(secret.replace(/\s/g, '')), timestamp: Date.now() + offsetSteps * 30_000 });

describeWithServer(
  'second factors in the sign-in',
  (server: () => TestServer) => {
    let app: oidc.Configuration;
    let strictApp: oidc.Configuration;
    const redirectUri = () => `${server().url}/app/callback`;

    before(async () => {
      const rp = async (requireMfa: boolean) => {
        const { id, secret } = await createClient(server().db, {
          name: requireMfa ? 'Payroll' : 'Portal',
          redirectUris: [redirectUri()],
          firstParty: true,
          requireMfa,
        });
        return oidc.discovery(new URL(server().url), id, secret, undefined, insecure);
      };
      [app, strictApp] = [await rp(false), await rp(true)];
    });

    /** Starts a sign-in at the app in `browser`; `finish` exchanges the code once back at the app. */
    async function start(
      params: Record<string, string> = {},
      { rp = app, browser = new UserAgent(server().url) } = {},
    ) {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(rp, {
        redirect_uri: redirectUri(),
        scope: 'openid email tenants',
        state: 's',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...params,
      });
      const page = await browser.follow(url.href);
      const finish = async (at: Page) => {
        assert.ok(at.location?.startsWith(redirectUri()), `not back at the app: ${at.status} ${at.html.slice(0, 600)}`);
        return (
          await oidc.authorizationCodeGrant(rp, new URL(at.location!), {
            pkceCodeVerifier: verifier,
            expectedState: 's',
          })
        ).claims()!;
      };
      return { browser, page, finish };
    }

    const password = (browser: UserAgent, page: Page, who: Person) =>
      browser.submit(page, /\/login$/, { email: who.email, password: who.password });

    /** An authenticator app set up through the service; the code of the step before now is spent by it. */
    async function withTotp(who: Person): Promise<string> {
      const { secret } = await server().tessera.factors.totp.startEnrolment(who.id, who.email);
      assert.ok(await server().tessera.factors.totp.confirmEnrolment(who.id, codeAt(secret, -1)));
      return secret;
    }

    test('without a second factor: amr pwd, acr single factor', async () => {
      const ada = await person(server(), 'Ada');
      const { browser, page, finish } = await start();
      const claims = await finish(await password(browser, page, ada));
      assert.deepEqual(claims.amr, ['pwd']);
      assert.equal(claims.acr, ACR_SINGLE_FACTOR);
    });

    test('a person with an authenticator app is asked for its code after the password: amr pwd otp mfa', async () => {
      const ada = await person(server(), 'Ada');
      const secret = await withTotp(ada);
      const { browser, page, finish } = await start();
      const step = await password(browser, page, ada);
      assert.equal(step.status, 200);
      assert.match(step.html, /second-factor\/totp/);
      assert.ok(!step.location, 'no code for the app before the second factor');
      const wrong = await browser.submit(step, /second-factor\/totp$/, { code: codeAt(secret, 5) });
      assert.equal(wrong.status, 400);
      const claims = await finish(await browser.submit(wrong, /second-factor\/totp$/, { code: codeAt(secret) }));
      assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
      assert.equal(claims.acr, ACR_MFA);
    });

    test('the pending first factor is kept by the server: a form posted to another sign-in does not complete it', async () => {
      const ada = await person(server(), 'Ada');
      const secret = await withTotp(ada);
      const first = await start();
      const step = await password(first.browser, first.page, ada);
      // The same browser starts another sign-in and posts a right code to it, which has no first factor.
      const other = await start({}, { browser: first.browser });
      const uid = /interaction\/([^/"]+)/.exec(other.page.url)![1];
      const { hidden } = findForm(step.html, /second-factor\/totp$/);
      const posted = await first.browser.request(`/interaction/${uid}/second-factor/totp`, {
        form: { ...hidden, code: codeAt(secret) },
      });
      assert.equal(posted.status, 400);
      assert.ok(!posted.location);
    });

    test('a recovery code serves as the second factor once', async () => {
      const ada = await person(server(), 'Ada');
      await withTotp(ada);
      const [code] = await server().tessera.factors.recovery.generate(ada.id);
      const { browser, page, finish } = await start();
      const step = await password(browser, page, ada);
      const claims = await finish(await browser.submit(step, /second-factor\/recovery$/, { code: code! }));
      assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
      const again = await start();
      const stepAgain = await password(again.browser, again.page, ada);
      const refused = await again.browser.submit(stepAgain, /second-factor\/recovery$/, { code: code! });
      assert.equal(refused.status, 400);
    });

    test('acr_values asks a signed-in person for a second factor without the password again (step-up)', async () => {
      const ada = await person(server(), 'Ada');
      const first = await start();
      assert.equal((await first.finish(await password(first.browser, first.page, ada))).acr, ACR_SINGLE_FACTOR);
      const secret = await withTotp(ada);
      const silent = await start({ acr_values: ACR_MFA, prompt: 'none' }, { browser: first.browser });
      assert.match(silent.page.location ?? '', /error=interaction_required/, 'no silent step-up');
      const up = await start({ acr_values: ACR_MFA }, { browser: first.browser });
      assert.match(up.page.html, /second-factor\/totp/, 'the code page, not the password form');
      assert.doesNotMatch(up.page.html, /name="password"/);
      const claims = await up.finish(
        await up.browser.submit(up.page, /second-factor\/totp$/, { code: codeAt(secret) }),
      );
      assert.equal(claims.acr, ACR_MFA);
      assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
      assert.equal(claims.sub, ada.id);
    });

    test('an app that requires MFA takes a person without a factor through enrolment: QR key, code, recovery codes', async () => {
      const bob = await person(server(), 'Bob');
      const { browser, page, finish } = await start({}, { rp: strictApp });
      const step = await password(browser, page, bob);
      assert.match(step.html, /second-factor\/totp\/start/);
      const enrol = await browser.submit(step, /totp\/start$/);
      assert.match(enrol.html, /<svg/);
      const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(enrol.html)![1]!;
      const codes = await browser.submit(enrol, /totp\/confirm$/, { code: codeAt(secret) });
      assert.equal(codes.status, 200);
      assert.equal((codes.html.match(/<li><code>[a-z2-9]{5}-[a-z2-9]{5}<\/code><\/li>/g) ?? []).length, 10);
      const claims = await finish(await browser.submit(codes, /second-factor\/continue$/));
      assert.equal(claims.acr, ACR_MFA);
      assert.ok(await server().tessera.factors.totp.enrolled(bob.id));
    });

    test('attack: guessing codes is limited per account; past the limit even the right code is refused (429)', async () => {
      const eve = await person(server(), 'Eve');
      const secret = await withTotp(eve);
      const { browser, page } = await start();
      let step = await password(browser, page, eve);
      for (let i = 0; i < 5; i++) {
        step = await browser.submit(step, /second-factor\/totp$/, { code: String(100000 + i) });
        assert.equal(step.status, 400);
      }
      const { hidden, action } = findForm(step.html, /second-factor\/totp$/);
      const blocked = await browser.request(action, { form: { ...hidden, code: codeAt(secret) } });
      assert.equal(blocked.status, 429);
    });

    test('a passkey alone signs a person in with two factors (amr hwk mfa), from the sign-in page', async () => {
      const ada = await person(server(), 'Ada');
      const { hostname } = new URL(server().url);
      const key = new SoftAuthenticator(hostname);
      const options = await server().tessera.factors.passkeys.registrationOptions({
        id: ada.id,
        userName: ada.email,
        displayName: 'Ada',
      });
      await server().tessera.factors.passkeys.register(
        ada.id,
        AttestationResponse.parse(key.register(options, server().url)),
        'Key',
      );
      await withTotp(ada); // a passkey with user verification needs no further factor
      const { browser, page, finish } = await start();
      const { action, hidden } = findForm(page.html, /\/passkey$/);
      const challenge = await browser.request(`${action}/options`, { form: { _csrf: hidden._csrf! } });
      assert.equal(challenge.status, 200);
      const response = key.authenticate(JSON.parse(challenge.html), server().url);
      AssertionResponse.parse(response);
      const claims = await finish(await browser.submit(page, /\/passkey$/, { response }));
      assert.deepEqual(claims.amr, ['hwk', 'mfa']);
      assert.equal(claims.acr, ACR_MFA);
    });

    test('a tenant that requires MFA: a member without a factor enrols when it becomes active; the policy is set through the API', async () => {
      const api = apiClient(server);
      const manage = await clientToken(server(), { manage: true });
      const carol = await person(server(), 'Carol');
      const tenantId = await api.tenantWith(manage, 'Bank', [], [carol]);
      const set = await api.call('PUT', `/api/tenants/${tenantId}/sign-in-policy`, manage, { require_mfa: true });
      assert.equal(set.status, 200);
      assert.deepEqual(set.body, { require_mfa: true, allowed_first_factors: null });
      const bad = await api.call('PUT', `/api/tenants/${tenantId}/sign-in-policy`, manage, {
        allowed_first_factors: ['nope'],
      });
      assert.equal(bad.status, 400);

      const { browser, page, finish } = await start();
      const step = await password(browser, page, carol);
      assert.match(step.html, /organisation requires a second factor/);
      const enrol = await browser.submit(step, /totp\/start$/);
      const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(enrol.html)![1]!;
      const codes = await browser.submit(enrol, /totp\/confirm$/, { code: codeAt(secret) });
      const claims = await finish(await browser.submit(codes, /second-factor\/continue$/));
      assert.equal(claims.acr, ACR_MFA);
      assert.equal((claims.active_tenant as { tenant_id: string }).tenant_id, tenantId);
    });

    test('a tenant that allows only passkeys refuses a password sign-in, and prompt=none gets interaction_required', async () => {
      const api = apiClient(server);
      const manage = await clientToken(server(), { manage: true });
      const dan = await person(server(), 'Dan');
      const tenantId = await api.tenantWith(manage, 'Vault', [], [dan]);
      await api.call('PUT', `/api/tenants/${tenantId}/sign-in-policy`, manage, {
        allowed_first_factors: ['hwk', 'swk'],
      });
      const { browser, page } = await start();
      const refused = await password(browser, page, dan);
      assert.equal(refused.status, 200);
      assert.match(refused.html, /Sign in another way/);
      assert.match(refused.html, /href="\/auth\?[^"]*prompt=login/);
      const silent = await start({ prompt: 'none' }, { browser });
      assert.match(silent.page.location ?? '', /error=interaction_required/);
    });
  },
  { RATE_LIMIT_LOGIN: '5' },
);

describeWithServer(
  'passkey challenges and the sign-in limit per address',
  (server: () => TestServer) => {
    test('every sign-in page asks for a passkey challenge; those do not spend the address’s sign-in attempts', async () => {
      const ada = await person(server(), 'Ada');
      const browser = new UserAgent(server().url);
      const page = await browser.follow('/account');
      const { action, hidden } = findForm(page.html, /\/passkey$/);
      for (let i = 0; i < 5; i++) {
        const challenge = await browser.request(`${action}/options`, { form: { _csrf: hidden._csrf! } });
        assert.equal(challenge.status, 200, `challenge ${i + 1}`);
      }
      const signedIn = await browser.submit(page, /\/login$/, { email: ada.email, password: ada.password });
      assert.notEqual(signedIn.status, 429);
      assert.match((await browser.follow('/account')).html, /Ada/);
    });
  },
  { RATE_LIMIT_IP: '3' },
);
