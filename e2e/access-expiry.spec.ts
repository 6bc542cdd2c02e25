// Access that ends: Cora accepts an invitation to Hooli that grants 30 days; the admin page says who invited
// her and when her access ends, and the admin moves the end; Cora sees the end on her account page.
import { expect, expectAccessibleBasics, screenshot, testWithBrowsers } from './fixtures.js';
import { InvitationDonePage, InvitationLandingPage, InvitationPrompt } from './pages/InvitationPages.js';
import { LoginPage } from './pages/LoginPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { seeded } from './seed-data.js';

const test = testWithBrowsers;
const dayIn = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString().slice(0, 10);

test('an invitation with access_expires_in: the member joins for 30 days, the admin sees where they came from and extends it', async ({
  page,
  anotherBrowser,
}) => {
  const { people, tenants, invitations } = seeded();
  const cora = people.contractor;
  const ivy = people.inviter;
  const ends = dayIn(30);

  await test.step('Cora opens her link, signs in and joins Hooli', async () => {
    const landing = new InvitationLandingPage(page);
    await landing.openLink(invitations.contractorFor30Days.url);
    await landing.expectSignedOutView('Hooli');
    await landing.signInLink.click();
    await new LoginPage(page).signIn(cora.email, cora.password);
    const prompt = new InvitationPrompt(page);
    await prompt.expectShown('Hooli');
    await prompt.join('Hooli');
    await new InvitationDonePage(page).expectJoined('Hooli');
  });

  const adminPage = await anotherBrowser();
  const admin = new TenantAdminPage(adminPage);
  const row = admin.members.filter({ hasText: cora.email });

  await test.step('the admin page says Ivy invited her and that her access ends in 30 days', async () => {
    await admin.openSignedIn(tenants.hooli, ivy);
    await expect(row).toContainText(/Invited by Ivy Inviter, joined \d{4}-\d{2}-\d{2}/);
    await expect(row).toContainText(`Access ends ${ends}`);
    await expect(row).toContainText(`tenant-user until ${ends}`);
    await expectAccessibleBasics(adminPage);
    await screenshot(adminPage, 'access-expiry-admin');
    await adminPage.setViewportSize({ width: 375, height: 740 });
    await screenshot(adminPage, 'access-expiry-admin-375');
    await adminPage.setViewportSize({ width: 1280, height: 800 });
  });

  await test.step('the admin extends her access by a year', async () => {
    const later = dayIn(395);
    await row.getByLabel('Access ends on').fill(later);
    await row.getByRole('button', { name: 'Set end' }).click();
    await admin.expectNotice("The end of the member's access is saved.");
    await expect(row).toContainText(`Access ends ${later}`);
    await expect(row).toContainText(`tenant-user until ${later}`);
  });

  await test.step('Cora sees on her account page when her access ends', async () => {
    await page.goto('/account');
    const section = page.getByRole('region', { name: 'Your organisations' });
    await expect(section).toContainText('Hooli');
    await expect(section).toContainText(`Your access ends ${dayIn(395)}`);
    await screenshot(page, 'access-expiry-account');
  });
});
