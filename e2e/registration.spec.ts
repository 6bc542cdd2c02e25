// A newcomer's first visit: registration, e-mail confirmation, sign-in, consent, sign-out.
import { expect, expectAccessibleBasics, screenshot, test } from './fixtures.js';
import { newPerson, registerThroughDemo, registeredAndVerified, signInThroughDemo } from './flows.js';
import { ConsentPage } from './pages/ConsentPage.js';
import { DemoPage, LogoutPages } from './pages/DemoPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { MailPage, SUBJECTS } from './pages/MailPage.js';
import { CheckInboxPage, RegisterPage } from './pages/RegisterPage.js';
import { ResetPages, VerifyEmailPages } from './pages/ResetPages.js';

test.describe('Registration', () => {
  test('a newcomer registers from the demo app, confirms the e-mail, signs in, consents, sees their claims and signs out', async ({
    page,
    context,
  }) => {
    const person = newPerson('Ada');
    const demo = new DemoPage(page);
    const login = new LoginPage(page);

    await test.step('the demo app offers to sign in with Tessera', async () => {
      await demo.open();
      await expectAccessibleBasics(page);
      await screenshot(page, '01-demo-start');
      await demo.startSignIn();
      await login.expectShown();
      await expectAccessibleBasics(page);
      await screenshot(page, '02-login');
    });

    await test.step('the newcomer creates an account and is asked to check the inbox', async () => {
      await login.createAccount.click();
      const register = new RegisterPage(page);
      await register.expectShown();
      await expectAccessibleBasics(page);
      await screenshot(page, '03-register');
      await register.register(person);
      await new CheckInboxPage(page).expectShown(person.email);
      await expectAccessibleBasics(page);
      await screenshot(page, '04-check-inbox');
    });

    await test.step('the verification link from the outbox confirms the address after a button press', async () => {
      const inbox = await context.newPage();
      const mail = new MailPage(inbox);
      await mail.open();
      await expectAccessibleBasics(inbox);
      await screenshot(inbox, '05-dev-mail-list');
      const link = await mail.newestLink(person.email, SUBJECTS.verifyEmail, '/verify-email');
      await screenshot(inbox, '05b-dev-mail-message');
      await inbox.goto(link);
      const verify = new VerifyEmailPages(inbox);
      await verify.expectConfirmShown();
      await expectAccessibleBasics(inbox);
      await screenshot(inbox, '06-verify-confirm');
      await verify.confirm();
      await expectAccessibleBasics(inbox);
      await screenshot(inbox, '07-verified');
      await inbox.close();
    });

    await test.step('back in the first tab, "Continue to sign in" leads to the sign-in page', async () => {
      await new CheckInboxPage(page).continueToSignIn.click();
      await login.expectShown();
      await login.signIn(person.email, person.password);
    });

    await test.step('the person allows the demo app to see their e-mail, profile and organisations', async () => {
      const consent = new ConsentPage(page);
      await consent.expectShown();
      await expect(consent.scopes).toHaveText([
        'See your e-mail address',
        'See your name and language',
        'See the organisations you belong to and your roles in them',
      ]);
      await expectAccessibleBasics(page);
      await screenshot(page, '08-consent');
      await consent.allow();
    });

    await test.step('the demo app shows ID token claims and userinfo with the e-mail, verified, the name, and no organisation yet', async () => {
      await demo.expectSignedIn();
      await expectAccessibleBasics(page);
      await screenshot(page, '09-demo-result');
      const claims = await demo.idTokenClaims();
      expect(claims).toMatchObject({
        email: person.email,
        email_verified: true,
        name: person.name,
        aud: 'tessera-demo',
      });
      expect(claims.sub).toEqual(expect.any(String));
      expect(claims.all_tenants).toEqual([]);
      expect(claims).not.toHaveProperty('active_tenant');
      const userinfo = await demo.userinfo();
      expect(userinfo).toMatchObject({ sub: claims.sub, email: person.email, email_verified: true, name: person.name });
      expect(await demo.accessToken()).not.toBe('');
    });

    await test.step('signing out goes through the confirmation page and back to the demo app', async () => {
      await demo.signOutLink.click();
      const logout = new LogoutPages(page);
      await logout.expectConfirmShown('Tessera demo app');
      await expectAccessibleBasics(page);
      await screenshot(page, '10-logout-confirm');
      await logout.confirm();
      await expect(page).toHaveURL(/\/demo$/);
      await expect(demo.signInLink).toBeVisible();
    });

    await test.step('after signing out, signing in asks for the password again', async () => {
      await demo.startSignIn();
      await login.expectShown();
    });
  });

  test('signing in with an e-mail that is not confirmed yet asks to confirm it first and sends a new link', async ({
    page,
  }) => {
    const person = newPerson('Grace');
    await registerThroughDemo(page, person);
    await new CheckInboxPage(page).continueToSignIn.click();
    const login = new LoginPage(page);
    await login.expectShown();
    await login.signIn(person.email, person.password);

    await login.expectError('Please confirm your e-mail address first. We have sent you a new link.');
    await expect(login.email).toHaveValue(person.email);
    await expectAccessibleBasics(page);
    await screenshot(page, '11-login-unverified');

    const inbox = await page.context().newPage();
    expect(await new MailPage(inbox).count(person.email, SUBJECTS.verifyEmail)).toBe(2);
    await inbox.close();

    // Not signed in: the demo app starts over at the sign-in page, not at consent.
    const demo = new DemoPage(page);
    await demo.open();
    await demo.startSignIn();
    await login.expectShown();
  });

  test("someone registers another person's address: in the owner's browser the link asks for the password chosen at registration, and the owner chooses their own instead", async ({
    page,
    browser,
    baseURL,
  }) => {
    const mallory = newPerson('Mallory');
    await registerThroughDemo(page, mallory);

    const owner = await browser.newContext({ baseURL, locale: 'en-GB' });
    const inbox = await owner.newPage();
    const mail = new MailPage(inbox);
    const link = await mail.newestLink(mallory.email, SUBJECTS.verifyEmail, '/verify-email');
    await expect(inbox.locator('#mail-body')).toContainText('If you did not create this account');
    await expect(inbox.locator('#mail-body')).not.toContainText('Mallory');

    await inbox.goto(link);
    const verify = new VerifyEmailPages(inbox);
    await verify.expectConfirmShown();
    await expect(verify.password).toBeVisible();
    await verify.confirmButton.click();
    await expect(verify.error).toHaveText('Enter the password of this account to confirm the address.');
    await expectAccessibleBasics(inbox);
    await screenshot(inbox, '07b-verify-asks-password');

    await verify.chooseOwnPassword.click();
    const reset = new ResetPages(inbox);
    await reset.expectNewPasswordShown();
    await expect(inbox.getByLabel('Your name', { exact: true })).toHaveValue('');
    await expectAccessibleBasics(inbox);
    await screenshot(inbox, '07c-take-over-address');
    const ownPassword = 'the owner picks this one';
    await reset.choose(ownPassword, 'Olive Owner');
    await reset.expectDone();

    // Mallory's password no longer signs in; the owner's does, with the owner's name and the address confirmed.
    await new CheckInboxPage(page).continueToSignIn.click();
    const login = new LoginPage(page);
    await login.signIn(mallory.email, mallory.password);
    await login.expectError('That e-mail and password do not match. Check them and try again.');
    await signInThroughDemo(inbox, { email: mallory.email, password: ownPassword });
    expect(await new DemoPage(inbox).idTokenClaims()).toMatchObject({
      email: mallory.email,
      email_verified: true,
      name: 'Olive Owner',
    });
    await owner.close();
  });

  test('signing out without an app to return to ends on the "You are signed out" page', async ({ page }) => {
    const person = await registeredAndVerified(page, 'Hedy');
    await signInThroughDemo(page, person);

    await page.goto('/session/end');
    const logout = new LogoutPages(page);
    await logout.expectConfirmShown();
    await logout.confirm();
    await logout.expectSignedOutShown();
    await expectAccessibleBasics(page);
    await screenshot(page, '12-logged-out');

    const demo = new DemoPage(page);
    await demo.open();
    await demo.startSignIn();
    await new LoginPage(page).expectShown();
  });
});
