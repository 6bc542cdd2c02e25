// Forgotten passwords: the reset link from the outbox, and what the old and new passwords do afterwards.
import { expect, expectAccessibleBasics, screenshot, test } from './fixtures.js';
import { type Person, registeredAndVerified, signInThroughDemo } from './flows.js';
import { DemoPage } from './pages/DemoPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { MailPage, SUBJECTS } from './pages/MailPage.js';
import { ResetPages } from './pages/ResetPages.js';

const WRONG_CREDENTIALS = 'That e-mail and password do not match. Check them and try again.';

/** "Forgot your password?" on the sign-in page → request → the link from the outbox. */
async function requestResetLink(page: import('@playwright/test').Page, person: Person, shots = false): Promise<string> {
  const demo = new DemoPage(page);
  await demo.open();
  await demo.startSignIn();
  const login = new LoginPage(page);
  await login.expectShown();
  await login.forgotPassword.click();
  const reset = new ResetPages(page);
  await reset.expectRequestShown();
  if (shots) {
    await expectAccessibleBasics(page);
    await screenshot(page, '20-reset-request');
  }
  await reset.request(person.email);
  if (shots) {
    await expectAccessibleBasics(page);
    await screenshot(page, '21-reset-sent');
  }
  const inbox = await page.context().newPage();
  const link = await new MailPage(inbox).newestLink(person.email, SUBJECTS.passwordReset, '/reset-password/new');
  await inbox.close();
  return link;
}

test.describe('Password reset', () => {
  test('a person resets the password through the mail link; the old password stops working and the new one works', async ({
    page,
  }) => {
    const person = await registeredAndVerified(page, 'Barbara');
    const link = await requestResetLink(page, person, true);

    await page.goto(link);
    const reset = new ResetPages(page);
    await reset.expectNewPasswordShown();
    await expectAccessibleBasics(page);
    await screenshot(page, '22-reset-new');
    const newPassword = 'a brand new passphrase';
    await reset.choose(newPassword);
    await reset.expectDone();
    await expectAccessibleBasics(page);
    await screenshot(page, '23-reset-done');

    const demo = new DemoPage(page);
    await demo.open();
    await demo.startSignIn();
    const login = new LoginPage(page);
    await login.signIn(person.email, person.password);
    await login.expectError(WRONG_CREDENTIALS);

    await signInThroughDemo(page, { email: person.email, password: newPassword });
    expect(await demo.idTokenClaims()).toMatchObject({ email: person.email, email_verified: true });
  });

  test("a reset ends the sessions signed in before: in the old browser the demo app's next sign-in asks for the password again", async ({
    page,
    browser,
    baseURL,
  }) => {
    const person = await registeredAndVerified(page, 'Mary');
    await signInThroughDemo(page, person);

    const elsewhere = await browser.newContext({ baseURL, locale: 'en-GB' });
    const other = await elsewhere.newPage();
    await other.goto(await requestResetLink(other, person));
    const reset = new ResetPages(other);
    await reset.choose('a passphrase only the owner knows');
    await reset.expectDone();
    await elsewhere.close();

    const demo = new DemoPage(page);
    await demo.open();
    await demo.startSignIn();
    await new LoginPage(page).expectShown();
  });

  test('a reset link that was already used shows "This link is no longer valid"', async ({ page }) => {
    const person = await registeredAndVerified(page, 'Frances');
    const link = await requestResetLink(page, person);
    await page.goto(link);
    const reset = new ResetPages(page);
    await reset.choose('first new passphrase');
    await reset.expectDone();

    const response = await page.goto(link);
    expect(response?.status()).toBe(400);
    await reset.expectLinkInvalid();
    await expectAccessibleBasics(page);
    await screenshot(page, '24-link-invalid');
  });

  test('a too short new password is refused with a message and the link keeps working', async ({ page }) => {
    const person = await registeredAndVerified(page, 'Katherine');
    const link = await requestResetLink(page, person);
    await page.goto(link);
    const reset = new ResetPages(page);
    await reset.choose('short');
    await expect(reset.error).toHaveText('Your password needs at least 8 characters.');
    await expectAccessibleBasics(page);
    await screenshot(page, '25-reset-new-too-short');
    await reset.choose('long enough now');
    await reset.expectDone();
  });
});
