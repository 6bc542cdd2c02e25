// The start page and the first operator: a person opens the setup link, signs in and becomes the operator;
// the start page then links to the console, and the link works no more.
import { expect, expectAccessibleBasics, screenshot, test } from './fixtures.js';
import { HomePage } from './pages/HomePage.js';
import { LoginPage } from './pages/LoginPage.js';
import { OperatorSetupPage } from './pages/OperatorSetupPage.js';
import { seeded } from './seed-data.js';

test('the start page says what this server is and offers sign-in, the account page and the demo', async ({ page }) => {
  const home = new HomePage(page);
  await home.open();
  await expect(home.signIn).toBeVisible();
  await expect(home.account).toHaveAttribute('href', '/account');
  await expect(home.demo).toHaveAttribute('href', '/demo');
  await expect(home.console).toHaveCount(0);
  await expectAccessibleBasics(page);
  await screenshot(page, '80-home');
  await page.setViewportSize({ width: 375, height: 800 });
  await screenshot(page, '80-home-375');
});

test('the setup link makes the person who signs in through it the first operator, once', async ({ page }) => {
  const { people, operatorSetupLink } = seeded();
  const opal = people.firstOperator;
  const setup = new OperatorSetupPage(page);

  await test.step('the link asks to sign in or register first, and changes nothing by being opened', async () => {
    await setup.open(operatorSetupLink);
    await expect(setup.register).toBeVisible();
    await expectAccessibleBasics(page);
    await screenshot(page, '81-operator-setup');
    await setup.open(operatorSetupLink);
  });

  await test.step('after sign-in the page names the account and asks to confirm', async () => {
    await setup.signIn.click();
    const login = new LoginPage(page);
    await login.expectShown('Tessera');
    await login.signIn(opal.email, opal.password);
    await expect(setup.heading).toHaveText('Become the first operator');
    await expect(setup.body).toContainText(opal.email);
    await screenshot(page, '82-operator-setup-signed-in');
    await setup.become.click();
    await expect(setup.body).toContainText('You are now an operator of this Tessera.');
  });

  await test.step('the start page now offers the console; the link works no more', async () => {
    const home = new HomePage(page);
    await home.open();
    await expect(home.console).toHaveAttribute('href', '/admin');
    await expect(page.getByText(opal.email)).toBeVisible();
    await screenshot(page, '83-home-operator');
    const again = await page.goto(operatorSetupLink);
    expect(again?.status()).toBe(404);
    await expect(setup.body).toContainText('This setup link does not work');
  });
});
