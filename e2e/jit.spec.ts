// Just-in-time membership in a real browser: Cyberdyne's admin sets the membership rules of Cyberdyne's own
// connection on the tenant admin page (a group → role line); someone from the company then signs in to the
// demo app through that connection (the app names the tenant with tenant_hint) and arrives as a member with
// the role of their group, without an invitation. Screenshots go to /tmp/jit-*.png.
import type { Page } from '@playwright/test';
import { expect, expectAccessibleBasics, expectNoHorizontalScroll, testWithBrowsers } from './fixtures.js';
import { ConsentPage } from './pages/ConsentPage.js';
import { DemoPage } from './pages/DemoPage.js';
import { signInWithConnection } from './pages/FederationPages.js';
import { LoginPage } from './pages/LoginPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { SEED_TENANT_CONNECTION, seeded } from './seed-data.js';

const test = testWithBrowsers;
test.describe.configure({ timeout: 90_000 });

const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/jit-${name}.png`, fullPage: true });
/** The connections table of the admin page alone (the whole page is long). */
const tableShot = (page: Page, name: string) =>
  page.locator('table.connections').screenshot({ path: `/tmp/jit-${name}.png` });

test("an admin maps a company group to a role; a person of that group signs in through the company's provider and is a member", async ({
  page,
  anotherBrowser,
}) => {
  const { people, tenants } = seeded();
  const cyberdyne = tenants[SEED_TENANT_CONNECTION.tenant];

  await test.step('the admin sets the membership rules of the connection', async () => {
    await new TenantAdminPage(page).open(cyberdyne.id);
    await new LoginPage(page).signIn(people.jitAdmin.email, people.jitAdmin.password);
    const rules = page.getByRole('form', { name: `Save membership of ${SEED_TENANT_CONNECTION.name}` });
    await page.getByText('Membership: off').click();
    await rules.getByLabel('Make people who sign in through it members').check();
    await rules.getByLabel('Groups and their roles').fill(`engineering = ${SEED_TENANT_CONNECTION.role}`);
    await tableShot(page, 'rules');
    await rules.getByRole('button').click();
    await expect(page.getByRole('status').first()).toContainText('The membership rules are saved.');
    await expect(page.getByText('Membership: people who sign in through it join')).toBeVisible();
    await expectAccessibleBasics(page);
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByText('Membership: people who sign in through it join').click();
    await tableShot(page, 'rules-375');
    await expectNoHorizontalScroll(page);
  });

  await test.step('an engineer signs in through the connection and arrives as a member with the mapped role', async () => {
    const other = await anotherBrowser();
    await other.goto(`/demo/login?tenant_hint=${cyberdyne.id}`);
    await new LoginPage(other).expectShown();
    await signInWithConnection(other, SEED_TENANT_CONNECTION.name, 'dyson;groups=engineering');
    const consent = new ConsentPage(other);
    await consent.expectShown();
    await consent.allow();
    const demo = new DemoPage(other);
    await demo.expectSignedIn();
    const claims = (await demo.idTokenClaims()) as { active_tenant?: { tenant_name: string; roles: string[] } };
    expect(claims.active_tenant?.tenant_name).toBe(cyberdyne.name);
    expect(claims.active_tenant?.roles).toEqual([SEED_TENANT_CONNECTION.role]);
    await shot(other, 'member');
  });
});
