// Invitations beyond the happy path: signed in as someone an e-mail-bound invitation is not for, the person
// proves the invited address with a code from the mail and joins; and the account page's pending
// invitations with Join. Screenshots go to /tmp/h3-*.png, at the default width and at 375 px.
import type { Page } from '@playwright/test';
import { expect, expectAccessibleBasics, screenshotBothWidths, testWithBrowsers, uniqueEmail } from './fixtures.js';
import { registeredAndVerified } from './flows.js';
import { InvitationDonePage, InvitationLandingPage, InvitationPrompt } from './pages/InvitationPages.js';
import { LoginPage } from './pages/LoginPage.js';
import { invitationSubject, MailPage } from './pages/MailPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { seeded } from './seed-data.js';

const test = testWithBrowsers;
const INVITATION_LINK = /^\/tenants\/invitation-tokens\/[\w-]+\.[\w-]+\.[\w-]+$/;
const CODE_SUBJECT = 'Your code to accept an invitation';

const shot = (page: Page, name: string) => screenshotBothWidths(page, `/tmp/h3-${name}`);

/** Ivy, Initech's admin, invites `email` on the admin page in a browser of her own; Tessera mails the link. */
async function ivyInvites(adminPage: Page, email: string): Promise<void> {
  const { people, tenants } = seeded();
  const admin = new TenantAdminPage(adminPage);
  await admin.open(tenants.initech.id);
  await new LoginPage(adminPage).signIn(people.inviter.email, people.inviter.password);
  await admin.expectShown(tenants.initech);
  await admin.createInvitation({ email });
  await admin.expectNotice(`The invitation was e-mailed to ${email}.`);
}

/** The newest mail to `recipient` with `subject`, read from the dev outbox in another tab. */
async function mailText(page: Page, recipient: string, subject: string): Promise<string> {
  const inbox = await page.context().newPage();
  const text = await new MailPage(inbox).newestText(recipient, subject);
  await inbox.close();
  return text;
}

test.describe('Signed in as someone else', () => {
  test('signed in as A, a person opens an invitation for address B, proves B with a mailed code, and joins', async ({
    page,
    anotherBrowser,
  }) => {
    const alex = await registeredAndVerified(page, 'Alex');
    const work = uniqueEmail('alex-work');
    await ivyInvites(await anotherBrowser(), work);

    await test.step('the link (from the mail to B) is opened and Alex signs in with account A', async () => {
      const inbox = await page.context().newPage();
      const link = await new MailPage(inbox).newestLink(
        work,
        invitationSubject(seeded().people.inviter.name, 'Initech'),
        INVITATION_LINK,
      );
      await inbox.close();
      const landing = new InvitationLandingPage(page);
      await landing.openLink(link);
      await landing.signInLink.click();
      await new LoginPage(page).signIn(alex.email, alex.password);
    });

    const send = page.getByRole('button', { name: /^This is my address: send a code to a…@example\.test$/ });
    await test.step('the wrong-account page offers the code to the masked address, beside "use another account"', async () => {
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('This invitation is for someone else');
      await expect(send).toBeVisible();
      await expect(page.getByText(work)).toHaveCount(0);
      await expectAccessibleBasics(page);
      await shot(page, 'wrong-account');
    });

    await test.step('a wrong code is refused; the right code from the mail adds the address and shows the invitation', async () => {
      await send.click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Enter the code');
      await expectAccessibleBasics(page);
      await shot(page, 'address-code');
      const code = /^\d{6}$/m.exec(await mailText(page, work, CODE_SUBJECT))![0];
      const codeBox = page.getByLabel('Code', { exact: true });
      await codeBox.fill(code === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Add the address' }).click();
      await expect(page.getByRole('alert')).toContainText('That code is not right');
      await shot(page, 'address-code-wrong');
      await codeBox.fill(code);
      await page.getByRole('button', { name: 'Add the address' }).click();
      await new InvitationPrompt(page).expectShown('Initech');
    });

    await test.step('Join Initech; the account page shows B under other addresses', async () => {
      await new InvitationPrompt(page).join('Initech');
      await new InvitationDonePage(page).expectJoined('Initech');
      await page.goto('/account');
      await expect(page.getByRole('heading', { name: 'Other addresses' })).toBeVisible();
      await expect(page.getByText(work, { exact: true })).toBeVisible();
      await shot(page, 'account-addresses');
      await expect(page.getByRole('button', { name: `Remove ${work}` })).toBeVisible();
    });
  });
});

test.describe('Invitations on the account page', () => {
  test('a signed-in person sees a new invitation to their address on the account page and joins from there', async ({
    page,
    anotherBrowser,
  }) => {
    const bo = await registeredAndVerified(page, 'Bo');
    await page.goto('/account');
    await new LoginPage(page).signIn(bo.email, bo.password);
    await expect(page.getByRole('heading', { name: 'Pending invitations' })).toBeVisible();
    await expect(page.getByText('No invitations wait for you.')).toBeVisible();

    await ivyInvites(await anotherBrowser(), bo.email);
    await page.reload();
    const item = page.locator('ul.invitations li').filter({ hasText: 'Initech' });
    await expect(item).toContainText('from Ivy Inviter, as tenant-user');
    await expect(item).toContainText(/until \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\)/);
    await expectAccessibleBasics(page);
    await shot(page, 'account-invitations');
    await item.getByRole('button', { name: 'Join Initech' }).click();
    await expect(page.getByText('You joined the tenant.')).toBeVisible();
    await expect(page.getByText('No invitations wait for you.')).toBeVisible();
    await shot(page, 'account-invitations-joined');
  });
});
