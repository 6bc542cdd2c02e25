// Failed sign-ins: the message is the same whether the e-mail is unknown or the password wrong.
import { expect, expectAccessibleBasics, screenshot, test } from './fixtures.js';
import { registeredAndVerified } from './flows.js';
import { DemoPage } from './pages/DemoPage.js';
import { LoginPage } from './pages/LoginPage.js';

const WRONG_CREDENTIALS = 'That e-mail and password do not match. Check them and try again.';

test.describe('Sign-in', () => {
  test('a wrong password and an unknown e-mail get the same error, so the page does not reveal who has an account', async ({
    page,
  }) => {
    const person = await registeredAndVerified(page, 'Margaret');
    const demo = new DemoPage(page);
    await demo.open();
    await demo.startSignIn();
    const login = new LoginPage(page);
    await login.expectShown();

    const attempt = async (email: string, password: string) => {
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/login')),
        login.signIn(email, password),
      ]);
      await login.expectShown();
      return {
        status: response.status(),
        error: await login.error.innerText(),
        keptEmail: (await login.email.inputValue()) === email,
        passwordCleared: (await login.password.inputValue()) === '',
        headings: await page.getByRole('heading').allInnerTexts(),
        buttons: await page.getByRole('button').allInnerTexts(),
        links: await page.getByRole('link').allInnerTexts(),
      };
    };

    const wrongPassword = await attempt(person.email, 'not the password at all');
    await expectAccessibleBasics(page);
    await screenshot(page, '13-login-wrong-password');
    const unknownEmail = await attempt('nobody-here@example.test', 'not the password at all');

    expect(wrongPassword.error).toBe(WRONG_CREDENTIALS);
    expect(unknownEmail).toEqual(wrongPassword);
  });

  test('an empty sign-in form shows the same error and stays on the sign-in page', async ({ page }) => {
    const demo = new DemoPage(page);
    await demo.open();
    await demo.startSignIn();
    const login = new LoginPage(page);
    await page.getByRole('link', { name: 'Sign in with a password' }).click();
    await login.submit.click();
    await login.expectError(WRONG_CREDENTIALS);
  });
});
