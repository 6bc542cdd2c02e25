// The tenant admin page's permissions section: which permissions of the apps' APIs each role holds.
import { expect, expectAccessibleBasics, screenshot, test } from './fixtures.js';
import { LoginPage } from './pages/LoginPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { seeded } from './seed-data.js';

test.describe('Permissions in the apps', () => {
  test("Globex's admin gives tenant-user a permission of the Invoices API and takes it back; tenant-admin holds all, fixed", async ({
    page,
  }) => {
    const { people, tenants } = seeded();
    const admin = new TenantAdminPage(page);
    await admin.open(tenants.globex.id);
    await new LoginPage(page).signIn(people.memberOfTwo.email, people.memberOfTwo.password);
    await admin.expectShown(tenants.globex);

    await test.step('the section lists the API with tenant-admin holding everything and tenant-user nothing', async () => {
      await expect(page.getByRole('heading', { name: 'Permissions in your apps' })).toBeVisible();
      expect(await admin.permissionsTicked('tenant-admin', 'Invoices')).toEqual(['invoices:read', 'invoices:write']);
      await expect(admin.permissionCheckbox('tenant-admin', 'Invoices', 'invoices:read')).toBeDisabled();
      expect(await admin.permissionsTicked('tenant-user', 'Invoices')).toEqual([]);
      await expectAccessibleBasics(page);
    });

    await test.step('saving invoices:read for tenant-user keeps it, with a notice', async () => {
      await admin.setPermissions('tenant-user', 'Invoices', ['invoices:read']);
      await admin.expectNotice('The permissions are saved.');
      expect(await admin.permissionsTicked('tenant-user', 'Invoices')).toEqual(['invoices:read']);
      await page.locator('#permissions').scrollIntoViewIfNeeded();
      await screenshot(page, '60-tenant-admin-permissions');
    });

    await test.step('taking them back leaves tenant-user with none', async () => {
      await admin.setPermissions('tenant-user', 'Invoices', []);
      await admin.expectNotice('The permissions are saved.');
      expect(await admin.permissionsTicked('tenant-user', 'Invoices')).toEqual([]);
    });
  });
});

test.describe('Permissions in the apps, on a phone', () => {
  test.use({ viewport: { width: 375, height: 812 } });

  test('the section fits a narrow screen: nothing wider than the page', async ({ page }) => {
    const { people, tenants } = seeded();
    const admin = new TenantAdminPage(page);
    await admin.open(tenants.globex.id);
    await new LoginPage(page).signIn(people.memberOfTwo.email, people.memberOfTwo.password);
    await admin.expectShown(tenants.globex);
    await expect(admin.permissionsOf('tenant-user', 'Invoices')).toBeVisible();
    // The browser's own globals, typed here because the tests are compiled without the DOM library.
    const widths = (await page.evaluate(
      '({ page: document.documentElement.scrollWidth, view: window.innerWidth })',
    )) as { page: number; view: number };
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    await screenshot(page, '61-tenant-admin-permissions-narrow');
  });
});
