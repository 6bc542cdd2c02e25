// Second-admin approval on the tenant admin page: Abe makes admin invitations need approval, asks for one
// (it waits, with no link), and Bo, the other admin of Soylent, approves it and is handed the link once.
import { expect, expectNoHorizontalScroll, screenshot, testWithBrowsers } from './fixtures.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { seeded } from './seed-data.js';

const test = testWithBrowsers;

test('an admin invitation waits for a second admin, who approves it on the admin page', async ({
  page,
  anotherBrowser,
}) => {
  const { tenants, people } = seeded();
  const soylent = tenants.soylent;

  const abe = new TenantAdminPage(page);
  await abe.openSignedIn(soylent, people.approvalAsker);
  await abe.requireApprovalFor(['tenant-admin']);
  await abe.expectNotice('The invitation policy is saved. It applies to invitations made from now on.');

  await abe.createInvitation({ roles: ['tenant-admin'] });
  await expect(abe.notice).toContainText("waits for another tenant-admin's approval");
  await expect(abe.issuedLink).toHaveCount(0);
  const asked = abe.invitations.first();
  await expect(abe.invitationStatus(asked)).toHaveText('awaiting approval');
  await expect(abe.approveButton(asked)).toHaveCount(0); // never one's own
  await expect(asked).toContainText('another admin must approve');
  await screenshot(page, '90-invitation-awaiting-approval');

  const boPage = await anotherBrowser();
  const bo = new TenantAdminPage(boPage);
  await bo.openSignedIn(soylent, people.approvalGiver);
  const waiting = bo.invitations.first();
  await expect(bo.invitationStatus(waiting)).toHaveText('awaiting approval');
  await screenshot(boPage, '91-invitation-approve');
  await boPage.setViewportSize({ width: 375, height: 740 });
  await expectNoHorizontalScroll(boPage);
  await screenshot(boPage, '91-invitation-approve-375');
  await boPage.setViewportSize({ width: 1280, height: 800 });

  await bo.approveButton(waiting).click();
  await expect(bo.issuedLink).toHaveValue(/\/tenants\/invitation-tokens\/[\w-]+\.[\w-]+\.[\w-]+$/);
  await expect(bo.invitationStatus(bo.invitations.first())).toHaveText('pending');
  await screenshot(boPage, '92-invitation-approved');

  await abe.open(soylent.id); // a GET: reloading would send the creating POST again
  await expect(abe.invitationStatus(abe.invitations.first())).toHaveText('pending');
});
