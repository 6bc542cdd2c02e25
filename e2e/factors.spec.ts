// Second factors in a real browser: an authenticator app set up on the account page (the code computed
// here, as the app would), then asked for after the password; a recovery code instead; passkeys with
// Chromium's virtual authenticator (registered on the account page, then the only factor at sign-in); and
// an organisation whose admin requires a second factor, which takes its member through enrolment.
import type { Page } from '@playwright/test';
import { expect, expectAccessibleBasics, test } from './fixtures.js';
import { demoLoginPage } from './flows.js';
import { ConsentPage } from './pages/ConsentPage.js';
import { DemoPage } from './pages/DemoPage.js';
import { AccountFactors, RecoveryCodesList, SecondFactorPage, TotpSetup, totpCode } from './pages/FactorPages.js';
import { LoginPage } from './pages/LoginPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { type SeededPerson, seeded } from './seed-data.js';

// Each test walks several browsers through several sign-ins: more than the default 30 s on a busy machine.
test.describe.configure({ timeout: 120_000 });

/** A full-page screenshot under /tmp (h9-<name>.png), also at a phone's width when `narrow`. */
async function shot(page: Page, name: string, narrow = false): Promise<void> {
  await page.screenshot({ path: `/tmp/h9-${name}.png`, fullPage: true });
  if (!narrow) return;
  const size = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: `/tmp/h9-${name}-375.png`, fullPage: true });
  if (size) await page.setViewportSize(size);
}

/** Opens /account, signing in with the password on the way (Tessera's own sign-in page). */
async function openAccountSigningIn(page: Page, who: SeededPerson): Promise<AccountFactors> {
  const account = new AccountFactors(page);
  await account.open();
  await new LoginPage(page).expectShown('Tessera');
  await new LoginPage(page).signIn(who.email, who.password);
  await account.expectShown();
  return account;
}

/** The demo app's sign-in up to the password step's page; returns the login page. */
const demoSignIn = demoLoginPage;

async function allowAndExpectSignedIn(page: Page): Promise<Record<string, unknown>> {
  const consent = new ConsentPage(page);
  await consent.expectShown();
  await consent.allow();
  const demo = new DemoPage(page);
  await demo.expectSignedIn();
  return demo.idTokenClaims();
}

test.describe('An authenticator app and recovery codes', () => {
  test('a person sets up an app on the account page, is asked for its code after the password, and can use a recovery code', async ({
    browser,
    page,
  }) => {
    const tess = seeded().people.totpUser;
    const { secret, recoveryCodes } =
      await test.step('set up on the account page: QR code, key, first code, recovery codes', async () => {
        const account = await openAccountSigningIn(page, tess);
        await account.setUpApp.click();
        const setup = new TotpSetup(page);
        await expect(setup.qr).toBeVisible();
        await expectAccessibleBasics(page);
        await shot(page, 'account-totp-setup', true);
        const secret = await setup.completeWithApp();
        await expect(account.notice).toHaveText('Authenticator app set up.');
        const recoveryCodes = await new RecoveryCodesList(page).read();
        await shot(page, 'account-recovery-codes', true);
        await expect(account.appIsOn).toBeVisible();
        return { secret, recoveryCodes };
      });

    await test.step('a new browser: password, then the code from the app', async () => {
      const fresh = await browser.newPage();
      await (await demoSignIn(fresh)).signIn(tess.email, tess.password);
      const step = new SecondFactorPage(fresh);
      await step.expectShown();
      await expectAccessibleBasics(fresh);
      await shot(fresh, 'second-factor', true);
      await step.enterCode('000000' === totpCode(secret, 1) ? '111111' : '000000');
      await expect(step.error).toContainText('That code is not right');
      // The code of the enrolment's step was spent by the enrolment: the app's next code.
      await step.enterCode(totpCode(secret, 1));
      const claims = await allowAndExpectSignedIn(fresh);
      expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
      expect(claims.acr).toBe('urn:tessera:acr:mfa');
      await fresh.close();
    });

    await test.step('another browser: password, then a recovery code (which then no longer works)', async () => {
      const fresh = await browser.newPage();
      await (await demoSignIn(fresh)).signIn(tess.email, tess.password);
      const step = new SecondFactorPage(fresh);
      await step.expectShown();
      await step.enterRecoveryCode(recoveryCodes[0]!);
      const claims = await allowAndExpectSignedIn(fresh);
      expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
      await fresh.close();

      const again = await browser.newPage();
      await (await demoSignIn(again)).signIn(tess.email, tess.password);
      const stepAgain = new SecondFactorPage(again);
      await stepAgain.enterRecoveryCode(recoveryCodes[0]!);
      await expect(stepAgain.error).toContainText('That recovery code is not right, or it was used already.');
      await again.close();
    });
  });
});

test.describe('Passkeys', () => {
  test('a person registers a passkey on the account page (virtual authenticator) and then signs in with it alone', async ({
    page,
  }) => {
    const kay = seeded().people.passkeyUser;
    // Chromium's virtual authenticator: a platform passkey with user verification, answering by itself.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });

    await test.step('register it on the account page', async () => {
      const account = await openAccountSigningIn(page, kay);
      await account.passkeyName.fill('Work laptop');
      await account.addPasskey.click();
      await expect(account.notice).toHaveText('Passkey added.');
      await expect(account.passkeys).toHaveCount(1);
      await expect(account.passkeys.first()).toContainText('Work laptop');
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(credentials).toHaveLength(1);
      expect(credentials[0]!.isResidentCredential).toBe(true);
      await shot(page, 'account-passkeys', true);
    });

    await test.step('signed out, the passkey alone signs in: the browser offers it on the sign-in page (conditional UI)', async () => {
      await page.context().clearCookies();
      const demo = new DemoPage(page);
      await demo.open();
      // The virtual authenticator answers the sign-in page's autofill request by itself, as a person
      // picking the suggested passkey would: no password is typed.
      await demo.startSignIn();
      const claims = await allowAndExpectSignedIn(page);
      expect(claims.amr).toEqual(['hwk', 'mfa']);
      expect(claims.acr).toBe('urn:tessera:acr:mfa');
    });
  });

  test('the sign-in page offers a passkey button where WebAuthn runs; without JavaScript it stays hidden and the password form works', async ({
    browser,
    page,
  }) => {
    await demoSignIn(page);
    await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeVisible();
    await expect(new LoginPage(page).email).toHaveAttribute('autocomplete', 'username webauthn');
    await shot(page, 'login-with-passkey', true);

    const context = await browser.newContext({ javaScriptEnabled: false });
    const noScript = await context.newPage();
    const login = await demoSignIn(noScript);
    await expect(noScript.getByRole('button', { name: 'Sign in with a passkey' })).toBeHidden();
    await login.identify(seeded().people.passkeyUser.email);
    await expect(login.password).toBeVisible();
    await context.close();
  });
});

test.describe('An organisation that requires a second factor', () => {
  test('its admin turns the rule on; a member without a factor is taken through enrolment on the way to the app', async ({
    browser,
    page,
  }) => {
    const { people, tenants } = seeded();
    await test.step('the admin sets the sign-in policy on the tenant admin page', async () => {
      await new TenantAdminPage(page).open(tenants.fortress.id);
      await new LoginPage(page).signIn(people.fortressAdmin.email, people.fortressAdmin.password);
      await expect(page.getByRole('heading', { name: 'Sign-in policy' })).toBeVisible();
      await page.getByLabel('Members need a second factor').check();
      await page.getByRole('button', { name: 'Save the sign-in policy' }).click();
      await expect(page.getByRole('status').first()).toContainText('The sign-in policy is saved.');
      await expect(page.getByLabel('Members need a second factor')).toBeChecked();
      await shot(page, 'tenant-policy', true);
    });

    await test.step('the member signs in to the app: consent, then enrolment because Fortress requires it', async () => {
      const member = await browser.newPage();
      await (await demoSignIn(member)).signIn(people.fortressMember.email, people.fortressMember.password);
      const consent = new ConsentPage(member);
      await consent.expectShown();
      await consent.allow();
      const step = new SecondFactorPage(member);
      await step.expectShown();
      await expect(member.getByText('Your organisation requires a second factor when you sign in.')).toBeVisible();
      await shot(member, 'tenant-requires-mfa', true);
      await step.setUpApp.click();
      await new TotpSetup(member).completeWithApp();
      const codes = new RecoveryCodesList(member);
      await codes.read();
      await codes.continueButton.click();
      const demo = new DemoPage(member);
      await demo.expectSignedIn();
      const claims = await demo.idTokenClaims();
      expect(claims.acr).toBe('urn:tessera:acr:mfa');
      expect((claims.active_tenant as { tenant_name: string }).tenant_name).toBe('Fortress');
      await member.close();
    });
  });
});
