// One invitation's life, from creation to the end of the access it gave: Abe asks for an admin invitation that
// gives 30 days of access; it waits for a second admin; Bo approves it and Tessera mails it; a newcomer
// registers through the mailed link and joins; the admin page says where the membership came from and when it
// ends; the app's tokens carry the tenant; when the access ends (Abe moves the end to today, as time would),
// the admin page shows it ended and the app's next tokens no longer carry the tenant.
// Screenshots: e2e/screenshots/life-*.png.
import { expect, expectAccessibleBasics, screenshot, testWithBrowsers } from './fixtures.js';
import { newPerson } from './flows.js';
import { ConsentPage } from './pages/ConsentPage.js';
import { DemoPage } from './pages/DemoPage.js';
import { InvitationDonePage, InvitationLandingPage, InvitationPrompt } from './pages/InvitationPages.js';
import { invitationSubject, MailPage } from './pages/MailPage.js';
import { RegisterPage } from './pages/RegisterPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { seeded } from './seed-data.js';

const test = testWithBrowsers;
const INVITATION_LINK = /^\/tenants\/invitation-tokens\/[\w-]+\.[\w-]+\.[\w-]+$/;
const dayIn = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString().slice(0, 10);

test('an admin invitation for 30 days: approved, mailed, accepted, traced, and ended', async ({
  page,
  anotherBrowser,
}) => {
  test.slow(); // three browsers and a dozen pages
  const { tenants, people } = seeded();
  const soylent = tenants.soylent;
  const abe = new TenantAdminPage(page);
  const newcomer = newPerson('Lena');
  const ends = dayIn(30);

  await test.step('Abe asks for an admin invitation for 30 days: it waits for another admin', async () => {
    await abe.openSignedIn(soylent, people.approvalAsker);
    await abe.requireApprovalFor(['tenant-admin']);
    await abe.createInvitation({ roles: ['tenant-admin'], email: newcomer.email, accessDays: 30 });
    await expect(abe.notice).toContainText("waits for another tenant-admin's approval");
    const row = abe.invitationFor(newcomer.email);
    await expect(abe.invitationStatus(row)).toHaveText('awaiting approval');
    await expect(row).toContainText('access for 30 days');
    await screenshot(page, 'life-1-awaiting');
  });

  await test.step('Bo approves it on his admin page; Tessera mails it then', async () => {
    const boPage = await anotherBrowser();
    const bo = new TenantAdminPage(boPage);
    await bo.openSignedIn(soylent, people.approvalGiver);
    const row = bo.invitationFor(newcomer.email);
    await bo.approveButton(row).click();
    await expect(bo.invitationStatus(bo.invitationFor(newcomer.email))).toHaveText('pending');
    await screenshot(boPage, 'life-2-approved');
  });

  const lena = await anotherBrowser();
  await test.step('Lena opens the mailed link, registers with the invited address and sees how long access lasts', async () => {
    const mail = new MailPage(lena);
    const link = await mail.newestLink(
      newcomer.email,
      invitationSubject(people.approvalAsker.name, 'Soylent'),
      INVITATION_LINK,
    );
    const landing = new InvitationLandingPage(lena);
    await landing.openLink(link);
    await landing.expectSignedOutView('Soylent');
    await landing.createAccountLink.click();
    await new RegisterPage(lena).register(newcomer);
    const prompt = new InvitationPrompt(lena);
    await prompt.expectShown('Soylent', {
      inviter: people.approvalAsker.name,
      roles: ['tenant-admin'],
      who: newcomer.email,
    });
    await expect(lena.getByText(`Your access ends on ${ends} (UTC)`)).toBeVisible();
    await expectAccessibleBasics(lena);
    await screenshot(lena, 'life-3-invitation');
    await prompt.join('Soylent');
    await new InvitationDonePage(lena).expectJoined('Soylent');
  });

  const demo = new DemoPage(lena);
  await test.step("the demo app's tokens carry Soylent, with the admin role", async () => {
    await demo.open();
    await demo.startSignIn();
    await new ConsentPage(lena).allow();
    await demo.expectSignedIn();
    const claims = await demo.idTokenClaims();
    expect(claims.active_tenant).toEqual({ tenant_id: soylent.id, tenant_name: 'Soylent', roles: ['tenant-admin'] });
  });

  const member = abe.members.filter({ hasText: newcomer.email });
  await test.step('the admin page says who invited Lena and when her access ends', async () => {
    await abe.open(soylent.id);
    await expect(member).toContainText(/Invited by Abe Asker, joined \d{4}-\d{2}-\d{2}/);
    await expect(member).toContainText(`Access ends ${ends}`);
    await expect(abe.invitationStatus(abe.invitationFor(newcomer.email))).toHaveText('accepted');
    await screenshot(page, 'life-4-member');
  });

  await test.step('the access ends (Abe moves the end to today, as 30 days would): the app no longer gets Soylent', async () => {
    await member.getByLabel('Access ends on').fill(dayIn(0));
    await member.getByRole('button', { name: 'Set end' }).click();
    await abe.expectNotice("The end of the member's access is saved.");
    await expect(member).toContainText('Access ended');
    await screenshot(page, 'life-5-ended');
    await demo.open();
    await demo.startSignIn();
    await demo.expectSignedIn();
    const claims = await demo.idTokenClaims();
    expect(claims.active_tenant).toBeUndefined();
    expect(claims.all_tenants).toEqual([]);
    await screenshot(lena, 'life-6-app-after-end');
  });
});
