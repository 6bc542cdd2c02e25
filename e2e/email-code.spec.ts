// Signing in with a code by e-mail in a real browser: from the demo app, the code read from the dev mail
// page and typed, or the mailed link opened in the same browser (a page with a button: opening it does
// nothing); the ID token says amr ["otp"]. Screenshots go to /tmp/h1-*.png, at the default width and 375 px.
import type { Page } from '@playwright/test';
import { expect, expectAccessibleBasics, test, uniqueEmail, screenshotBothWidths } from './fixtures.js';
import { registeredAndVerified } from './flows.js';
import { ConsentPage } from './pages/ConsentPage.js';
import { DemoPage } from './pages/DemoPage.js';
import { EmailCodePages } from './pages/EmailCodePages.js';
import { LoginPage } from './pages/LoginPage.js';
import { MailPage, SUBJECTS } from './pages/MailPage.js';

/** A full-page screenshot under /tmp, at the page's width and at a phone's. */
async function shot(page: Page, name: string): Promise<void> {
  await screenshotBothWidths(page, `/tmp/h1-${name}`);
}

/** The demo app's sign-in, then "Sign in with a code by e-mail". */
async function startCodeSignIn(page: Page, shots = false): Promise<EmailCodePages> {
  const demo = new DemoPage(page);
  await demo.open();
  await demo.startSignIn();
  await new LoginPage(page).expectShown();
  if (shots) await shot(page, 'email-code-login');
  const codes = new EmailCodePages(page);
  await codes.choose();
  return codes;
}

/** The newest sign-in mail to `email`, read in another tab of the same browser. */
async function readMail(page: Page, email: string, screenshotName?: string): Promise<{ code: string; inbox: Page }> {
  const inbox = await page.context().newPage();
  const text = await new MailPage(inbox).newestText(email, SUBJECTS.signInCode);
  if (screenshotName) await shot(inbox, screenshotName);
  const code = /^\d{6}$/m.exec(text)?.[0];
  expect(code, `no code in: ${text}`).toBeDefined();
  return { code: code!, inbox };
}

test.describe('Signing in with a code by e-mail', () => {
  test('a person signs in to the demo app with the code from the mail: amr otp', async ({ page }) => {
    const person = await registeredAndVerified(page, 'Edith');
    const codes = await startCodeSignIn(page, true);
    await expectAccessibleBasics(page);
    await shot(page, 'email-code-ask');
    await codes.ask(person.email);
    await expect(page.getByText(person.email)).toBeVisible();
    await expectAccessibleBasics(page);
    await shot(page, 'email-code-enter');

    const { code, inbox } = await readMail(page, person.email, 'email-code-mail');
    await inbox.close();
    await codes.enter(code === '000000' ? '111111' : '000000');
    await expect(codes.error).toContainText('That code is not right');
    await shot(page, 'email-code-wrong');
    await codes.enter(code);

    const consent = new ConsentPage(page);
    await consent.expectShown();
    await consent.allow();
    const demo = new DemoPage(page);
    await demo.expectSignedIn();
    expect(await demo.idTokenClaims()).toMatchObject({ email: person.email, amr: ['otp'] });
  });

  test('the mailed link opens a page whose button signs in; an address without an account sees the same pages', async ({
    page,
  }) => {
    const stranger = uniqueEmail('nobody');
    const first = await startCodeSignIn(page);
    await first.ask(stranger);
    await expect(page.getByText(stranger)).toBeVisible();
    expect(await new MailPage(await page.context().newPage()).count(stranger, SUBJECTS.signInCode)).toBe(0);

    const person = await registeredAndVerified(page, 'Lorna');
    const codes = await startCodeSignIn(page);
    await codes.ask(person.email);
    const inbox = await page.context().newPage();
    const link = await new MailPage(inbox).newestLink(person.email, SUBJECTS.signInCode, /\/email-code\/link$/);
    expect(link.startsWith(`${new URL(page.url()).origin}/interaction/`)).toBe(true);
    await inbox.goto(link);
    const linkPage = new EmailCodePages(inbox);
    const button = await linkPage.expectLinkShown();
    await expectAccessibleBasics(inbox);
    await shot(inbox, 'email-code-link');
    await button.click();
    const consent = new ConsentPage(inbox);
    await consent.expectShown();
    await consent.allow();
    const demo = new DemoPage(inbox);
    await demo.expectSignedIn();
    expect(await demo.idTokenClaims()).toMatchObject({ email: person.email, amr: ['otp'] });
  });
});
