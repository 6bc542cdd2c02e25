// Signing up with a phone number in a real browser: an invitee invited by SMS opens the texted link from the
// dev outbox, signs up with that number and the texted code, names the account, joins the tenant, and the demo
// app then shows the tenant as active, with amr ["sms"]. Screenshots go to /tmp/h4-*.png, at the default width
// and at 375 px.
import type { Page } from '@playwright/test';
import { expect, expectAccessibleBasics, test, screenshotBothWidths } from './fixtures.js';
import { ConsentPage } from './pages/ConsentPage.js';
import { DemoPage } from './pages/DemoPage.js';
import { InvitationDonePage, InvitationLandingPage, InvitationPrompt } from './pages/InvitationPages.js';
import { LoginPage } from './pages/LoginPage.js';
import { MailPage } from './pages/MailPage.js';
import { PhonePages } from './pages/PhonePages.js';
import { registeredAndVerified, signInThroughDemo } from './flows.js';
import { SEED_INVITATIONS, seeded } from './seed-data.js';

/** A full-page screenshot under /tmp, at the page's width and at a phone's. */
async function shot(page: Page, name: string): Promise<void> {
  await screenshotBothWidths(page, `/tmp/h4-${name}`);
}

/** The newest SMS to `phone` with `subject` in the dev outbox, read in another tab. */
async function readSms(page: Page, phone: string, subject: string, screenshotName?: string): Promise<string> {
  const outbox = await page.context().newPage();
  const text = await new MailPage(outbox).newestText(phone, subject);
  if (screenshotName) await shot(outbox, screenshotName);
  await outbox.close();
  return text;
}

test.describe('Signing up with a phone number', () => {
  test('an invitee invited by SMS signs up with the number and the texted code, joins, and the demo app shows the tenant', async ({
    page,
  }) => {
    const { tenants } = seeded();
    const phone = SEED_INVITATIONS.textedToNewcomer.phone;
    const phones = new PhonePages(page);

    await test.step('the SMS in the dev outbox carries a short link; it opens the invitation', async () => {
      const sms = await readSms(page, phone, 'invitation', 'sms-invitation');
      const link = /https?:\/\/\S+\/i\/[\w-]+/.exec(sms)?.[0];
      expect(link, `no short link in: ${sms}`).toBeDefined();
      const landing = new InvitationLandingPage(page);
      await landing.openLink(link!);
      await landing.expectSignedOutView('Umbrella');
      await landing.createAccountLink.click();
      await new LoginPage(page).expectShown('Tessera');
      await expectAccessibleBasics(page);
      await shot(page, 'phone-login');
    });

    await test.step('the phone page has the invited number filled in; a code is texted to it', async () => {
      await phones.choose('Tessera');
      await expect(phones.number).toHaveValue(phone);
      await expectAccessibleBasics(page);
      await shot(page, 'phone-ask');
      await phones.ask();
      await expect(page.getByText(phone)).toBeVisible();
      await shot(page, 'phone-enter');
    });

    await test.step('a wrong code is refused; the texted one leads to the name page', async () => {
      const sms = await readSms(page, phone, 'SMS code', 'sms-code');
      const code = /^(\d{6}) is your code to create an account/.exec(sms)?.[1];
      expect(code, `no sign-up code in: ${sms}`).toBeDefined();
      await phones.enter(code === '000000' ? '111111' : '000000');
      await expect(phones.error).toContainText('That code is not right');
      await shot(page, 'phone-wrong-code');
      await phones.enter(code!);
      await expect(page.getByText(`Your number ${phone} is confirmed`)).toBeVisible();
      await expectAccessibleBasics(page);
      await shot(page, 'phone-name');
      await phones.createAccount('Nina Newcomer');
    });

    await test.step('the invitation is shown to the new account; Nina joins Umbrella', async () => {
      const prompt = new InvitationPrompt(page);
      await prompt.expectShown('Umbrella');
      await shot(page, 'phone-invitation');
      await prompt.join('Umbrella');
      await new InvitationDonePage(page).expectJoined('Umbrella');
    });

    await test.step('the demo app signs Nina in (no password asked) and shows Umbrella as the active tenant', async () => {
      const demo = new DemoPage(page);
      await demo.open();
      await demo.startSignIn();
      const consent = new ConsentPage(page);
      await consent.expectShown();
      await consent.allow();
      await demo.expectSignedIn();
      await shot(page, 'phone-demo');
      const claims = await demo.idTokenClaims();
      expect(claims.amr).toEqual(['sms']);
      expect(claims.name).toBe('Nina Newcomer');
      expect(claims.email).toBeUndefined();
      expect(claims.active_tenant).toEqual({
        tenant_id: tenants.umbrella.id,
        tenant_name: 'Umbrella',
        roles: ['tenant-user'],
      });
    });
  });
});

test.describe('A phone number on the account page', () => {
  test('a person adds a number with the texted code, then signs in by typing the number in the first field', async ({
    page,
  }) => {
    const person = await registeredAndVerified(page, 'Phoebe');
    const phone = `+49151${String(Date.now()).slice(-8)}`;
    const phones = new PhonePages(page);

    await test.step('the account page offers to add a number; the texted code confirms it', async () => {
      await signInThroughDemo(page, person);
      await page.goto('/account');
      const section = page.getByRole('region', { name: 'Phone number' });
      await expect(section).toContainText('Add your mobile number');
      await section.getByLabel('Mobile number').fill(phone);
      await section.getByRole('button', { name: 'Text me a code' }).click();
      await expect(section).toContainText(phone);
      await shot(page, 'account-phone-code');
      const sms = await readSms(page, phone, 'SMS code');
      const code = /^(\d{6}) is your code to add this number/.exec(sms)?.[1];
      expect(code, `no code in: ${sms}`).toBeDefined();
      await section.getByLabel('Code').fill(code!);
      await section.getByRole('button', { name: 'Confirm number' }).click();
      await expect(page.getByRole('status')).toContainText('Your phone number is confirmed');
      await expect(page.getByRole('region', { name: 'Phone number' })).toContainText(`${phone} is confirmed`);
      await expectAccessibleBasics(page);
      await shot(page, 'account-phone-added');
    });

    await test.step('in a fresh browser, the number typed on the sign-in page gets a code that signs Phoebe in', async () => {
      await page.context().clearCookies();
      const demo = new DemoPage(page);
      await demo.open();
      await demo.startSignIn();
      const login = new LoginPage(page);
      await login.expectShown();
      await login.identify(phone);
      await expect(phones.heading).toHaveText('Enter the code we texted you');
      const sms = await readSms(page, phone, 'SMS code');
      await phones.enter(/^(\d{6}) is your sign-in code/.exec(sms)![1]!);
      await new ConsentPage(page).allow();
      await demo.expectSignedIn();
      const claims = await demo.idTokenClaims();
      expect(claims.amr).toEqual(['sms']);
      expect(claims.email).toBe(person.email);
    });
  });
});
