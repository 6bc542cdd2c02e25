// Joining by a verified e-mail domain (seeded by the operator: wayne.test suggests, stark.test asks an
// admin): the suggestion after sign-in, and the request that Stark's admin approves on the admin page.
// Screenshots go to /tmp/h8d-*.png, at the default width and at 375 px.
import type { Page } from '@playwright/test';
import { expect, expectAccessibleBasics, screenshotBothWidths, testWithBrowsers } from './fixtures.js';
import { signInToDemoAndAllow } from './flows.js';
import { DemoPage } from './pages/DemoPage.js';
import { DomainJoinPage, DomainSection } from './pages/DomainPages.js';
import { LoginPage } from './pages/LoginPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { seeded } from './seed-data.js';

const test = testWithBrowsers;

/** The page as a desktop and as a 375 px phone sees it, under /tmp. */
async function shoot(page: Page, name: string): Promise<void> {
  await screenshotBothWidths(page, `/tmp/h8d-${name}`);
}

const tenantsIn = async (demo: DemoPage) =>
  (await demo.idTokenClaims()) as { active_tenant?: { tenant_name: string; roles: string[] } };

test('suggest: a person whose confirmed address is at wayne.test is offered Wayne after sign-in, joins, and the app gets Wayne as the active tenant', async ({
  page,
}) => {
  const { people, tenants } = seeded();
  const sue = people.wayneJoiner;
  await signInToDemoAndAllow(page, sue);
  const offer = new DomainJoinPage(page);
  await offer.expectSuggestion(tenants.wayne.name, sue.email, 'wayne.test');
  await expect(offer.skipButton).toBeVisible();
  await expectAccessibleBasics(page);
  await shoot(page, 'domain-join-suggest');
  await offer.joinButton(tenants.wayne.name).click();
  const demo = new DemoPage(page);
  await demo.expectSignedIn();
  const claims = await tenantsIn(demo);
  expect(claims.active_tenant?.tenant_name).toBe(tenants.wayne.name);
  expect(claims.active_tenant?.roles).toEqual(['tenant-user']);
});

test('request: Ray asks to join Stark, its admin approves on the admin page, and Ray is a member who sees the outcome at the next sign-in', async ({
  page,
  anotherBrowser,
}) => {
  test.slow(); // three sign-ins and the admin page, on a machine shared with other runs
  const { people, tenants } = seeded();
  const ray = people.starkAsker;
  const dora = people.domainAdmin;
  const stark = tenants.stark;

  await test.step('Ray signs in, is offered to ask, asks, and goes on to the app without a membership yet', async () => {
    await signInToDemoAndAllow(page, ray);
    const offer = new DomainJoinPage(page);
    await offer.expectRequestOffer(stark.name);
    await expectAccessibleBasics(page);
    await shoot(page, 'domain-join-request');
    await offer.askButton(stark.name).click();
    await offer.expectRequestSent();
    await expectAccessibleBasics(page);
    await shoot(page, 'domain-join-request-sent');
    await offer.continueTo();
    const demo = new DemoPage(page);
    await demo.expectSignedIn();
    expect((await tenantsIn(demo)).active_tenant).toBeUndefined();
  });

  const adminPage = await anotherBrowser();
  const admin = new TenantAdminPage(adminPage);
  const section = new DomainSection(adminPage);
  await test.step("Stark's admin sees Ray's request on the admin page and approves it; Ray is listed as a member", async () => {
    await admin.open(stark.id);
    await new LoginPage(adminPage).signIn(dora.email, dora.password);
    await admin.expectShown(stark);
    const request = section.requestOf(ray.email);
    await expect(request).toContainText(ray.name);
    await expect(section.domainRow('stark.test')).toContainText('verified by the operator');
    await expect(section.policyOf('stark.test')).toHaveValue('request');
    await expectAccessibleBasics(adminPage);
    await shoot(adminPage, 'domain-admin-requests');
    await section.approveButton(ray.name).click();
    await admin.expectNotice('The request is approved: the person is now a member.');
    await expect(section.requests).toHaveCount(0);
    await expect(admin.members.filter({ hasText: ray.email })).toHaveCount(1);
  });

  await test.step('Ray signs in again in a new browser: "You have joined Stark Industries", and the app gets Stark', async () => {
    const again = await anotherBrowser();
    await signInToDemoAndAllow(again, ray);
    const outcome = new DomainJoinPage(again);
    await outcome.expectApproved(stark.name);
    await expectAccessibleBasics(again);
    await shoot(again, 'domain-join-approved');
    await outcome.continueTo();
    const demo = new DemoPage(again);
    await demo.expectSignedIn();
    expect((await tenantsIn(demo)).active_tenant?.tenant_name).toBe(stark.name);
  });
});

test('the admin adds a domain on the admin page: it shows the DNS record to publish, and its join policy can be changed', async ({
  page,
}) => {
  const { people, tenants } = seeded();
  const admin = new TenantAdminPage(page);
  const section = new DomainSection(page);
  await admin.open(tenants.wayne.id);
  await new LoginPage(page).signIn(people.domainAdmin.email, people.domainAdmin.password);
  await admin.expectShown(tenants.wayne);
  await section.addDomain('Wayne-Labs.TEST', 'Suggest: offer to join after sign-in');
  await admin.expectNotice('The domain is added. Add its DNS record and verify it.');
  const row = section.domainRow('wayne-labs.test');
  await expect(row).toContainText('not verified');
  await expect(row).toContainText('_tessera-verification.wayne-labs.test');
  await expect(row).toContainText(/tessera-domain-verification=[\w-]{32}/);
  await expect(row.getByRole('button', { name: 'Verify wayne-labs.test' })).toBeVisible();
  await expectAccessibleBasics(page);
  await shoot(page, 'domain-admin-added');
  await section.policyOf('wayne-labs.test').selectOption('request');
  await row.getByRole('button', { name: 'Save policy' }).click();
  await admin.expectNotice('The join policy is saved.');
  await expect(section.policyOf('wayne-labs.test')).toHaveValue('request');
  await section.domainRow('wayne-labs.test').getByRole('button', { name: 'Remove wayne-labs.test' }).click();
  await admin.expectNotice('The domain is removed.');
  await expect(section.domainRow('wayne-labs.test')).toHaveCount(0);
});
