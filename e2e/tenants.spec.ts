// Organisations (tenants): choosing the active one at sign-in, switching it, and the tenant admin page.
// The people and tenants are seeded before the server starts (e2e/seed-data.ts says who is who).
import type { Page } from '@playwright/test';
import { expect, expectAccessibleBasics, screenshot, test } from './fixtures.js';
import { signInToDemoAndAllow } from './flows.js';
import { DemoPage } from './pages/DemoPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { SelectTenantPage } from './pages/SelectTenantPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { seeded, type SeededPerson } from './seed-data.js';

const LAST_ADMIN = 'This is the last tenant-admin of the tenant; make someone else an admin first.';

/** Demo app → sign in → allow; the person then chooses an organisation (they have several). */
async function signInToDemoUntilTenantChoice(page: Page, person: SeededPerson): Promise<SelectTenantPage> {
  await signInToDemoAndAllow(page, person);
  const select = new SelectTenantPage(page);
  await select.expectShown();
  return select;
}

/** On Tessera's sign-in page, shown on the way to a tenant's admin page: signs in, lands on the page, returns its status. */
async function signInOnTheWayToAdminPage(page: Page, tenantId: string, person: SeededPerson): Promise<number> {
  const login = new LoginPage(page);
  await login.expectShown('Tessera');
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'GET' && new URL(r.url()).pathname === TenantAdminPage.path(tenantId),
    ),
    login.signIn(person.email, person.password),
  ]);
  await expect(page).toHaveURL(new RegExp(`${TenantAdminPage.path(tenantId)}$`));
  return response.status();
}

/** Opens a tenant's admin page without a session: Tessera's sign-in page comes first, then the page itself. */
async function openAdminPageSigningIn(page: Page, tenantId: string, person: SeededPerson): Promise<number> {
  await new TenantAdminPage(page).open(tenantId);
  return signInOnTheWayToAdminPage(page, tenantId, person);
}

test.describe('Choosing an organisation', () => {
  test('a member of two organisations chooses one after signing in, and the demo app receives it as the active tenant', async ({
    page,
  }) => {
    const { people, tenants } = seeded();
    const demo = new DemoPage(page);

    const select =
      await test.step('after sign-in and consent, the organisations are offered with the roles in each', async () => {
        const select = await signInToDemoUntilTenantChoice(page, people.memberOfTwo);
        await expect(select.options).toHaveCount(2);
        await expect(select.optionLabel('Acme')).toContainText('tenant-user');
        await expect(select.optionLabel('Globex')).toContainText('tenant-admin');
        await expect(select.option('Acme')).toBeChecked(); // the first is preselected when none is chosen yet
        await expectAccessibleBasics(page);
        await screenshot(page, '50-select-tenant');
        return select;
      });

    await test.step('choosing Globex makes it the active tenant; both organisations are in all_tenants', async () => {
      await select.choose('Globex');
      await demo.expectSignedIn();
      await expectAccessibleBasics(page);
      await screenshot(page, '51-demo-result-tenant-claims');
      const claims = await demo.idTokenClaims();
      expect(claims.active_tenant).toEqual({
        tenant_id: tenants.globex.id,
        tenant_name: 'Globex',
        roles: ['tenant-admin'],
      });
      expect(claims.all_tenants).toEqual([
        { tenant_id: tenants.acme.id, tenant_name: 'Acme', roles: ['tenant-user'] },
        { tenant_id: tenants.globex.id, tenant_name: 'Globex', roles: ['tenant-admin'] },
      ]);
    });
  });

  test('"Switch organisation" in the demo app offers the choice again without asking for the password, and the new choice becomes active', async ({
    page,
  }) => {
    const { people, tenants } = seeded();
    const demo = new DemoPage(page);
    await (await signInToDemoUntilTenantChoice(page, people.memberOfTwo)).choose('Globex');
    await demo.expectSignedIn();

    await test.step('the switch goes straight to the choice, with the current organisation selected', async () => {
      await demo.switchTenantLink.click();
      const select = new SelectTenantPage(page);
      await select.expectShown();
      await expect(select.option('Globex')).toBeChecked();
      await expect(select.option('Acme')).not.toBeChecked();
      await screenshot(page, '52-select-tenant-switch');
      await select.choose('Acme');
    });

    await test.step('the demo app now receives Acme as the active tenant', async () => {
      await demo.expectSignedIn();
      const claims = await demo.idTokenClaims();
      expect(claims.active_tenant).toEqual({ tenant_id: tenants.acme.id, tenant_name: 'Acme', roles: ['tenant-user'] });
      expect(claims.all_tenants).toHaveLength(2);
    });
  });
});

test.describe('The tenant admin page', () => {
  test('the admin of Acme signs in on the way to the page, adds a role, gives it to a member, and cannot demote themselves as the last admin', async ({
    page,
  }) => {
    // The accessibility check walks every control of the admin page (a roles form and an access-end form per member).
    test.slow();
    const { people, tenants } = seeded();
    const admin = new TenantAdminPage(page);
    const bea = people.acmeMember.name;
    const alex = people.acmeAdmin.name;

    await test.step('opening the page without a session goes through sign-in and comes back to it', async () => {
      await admin.open(tenants.acme.id);
      await new LoginPage(page).expectShown('Tessera');
      await screenshot(page, '53-tenant-admin-sign-in');
      expect(await signInOnTheWayToAdminPage(page, tenants.acme.id, people.acmeAdmin)).toBe(200);
      await admin.expectShown(tenants.acme);
    });

    await test.step('the page lists the members with their roles and the role catalogue', async () => {
      await expect(admin.members).toHaveCount(4);
      for (const person of [people.acmeAdmin, people.memberOfTwo, people.acmeMember, people.acmeUser]) {
        await expect(admin.members.filter({ hasText: person.email })).toContainText(person.name);
      }
      expect(await admin.rolesTicked(alex)).toEqual(['tenant-admin']);
      expect(await admin.rolesTicked(bea)).toEqual(['tenant-user']);
      await expect(admin.removeMemberButton(bea)).toBeVisible();
      await expect(admin.catalogue).toHaveText(['tenant-admin (built in)', 'tenant-user (built in)']);
      await expectAccessibleBasics(page);
      await screenshot(page, '54-tenant-admin-before');
    });

    await test.step('the admin adds a custom role "billing" to the catalogue', async () => {
      await admin.addRole('billing', 'Sees and pays the invoices');
      await admin.expectNotice('The role is added.');
      await expect(admin.catalogue.filter({ hasText: 'billing' })).toContainText(
        'billing — Sees and pays the invoices',
      );
      await expect(page.getByRole('button', { name: 'Remove the role billing', exact: true })).toBeVisible();
    });

    await test.step('giving Bea the billing role is saved and stays ticked after a reload', async () => {
      await admin.setRoles(bea, ['tenant-user', 'billing']);
      await admin.expectNotice('The roles are saved.');
      await expectAccessibleBasics(page);
      await screenshot(page, '55-tenant-admin-after');
      await page.reload();
      await admin.expectShown(tenants.acme);
      await expect(admin.roleCheckbox(bea, 'billing')).toBeChecked();
      expect(await admin.rolesTicked(bea)).toEqual(['billing', 'tenant-user']);
    });

    await test.step('taking away their own tenant-admin role, as the only admin, is refused on the page (409)', async () => {
      await admin.open(tenants.acme.id);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/roles')),
        admin.setRoles(alex, ['tenant-user']),
      ]);
      expect(response.status()).toBe(409);
      await expect(admin.error).toHaveText(LAST_ADMIN);
      await expect(admin.heading).toHaveText('Acme');
      await expectAccessibleBasics(page);
      await screenshot(page, '56-tenant-admin-last-admin');
      await admin.open(tenants.acme.id);
      expect(await admin.rolesTicked(alex)).toEqual(['tenant-admin']);
    });
  });

  test('a member who is not an admin of the organisation gets a "not allowed" page (403)', async ({ page }) => {
    const { people, tenants } = seeded();
    expect(await openAdminPageSigningIn(page, tenants.acme.id, people.acmeUser)).toBe(403);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are not allowed to do this');
    await expect(page.getByText('Your account does not have access to this page.')).toBeVisible();
    await expectAccessibleBasics(page);
    await screenshot(page, '57-tenant-admin-forbidden');
  });

  test('someone who does not belong to the organisation gets "Organisation not found" (404), as for one that does not exist', async ({
    page,
  }) => {
    const { people, tenants } = seeded();
    expect(await openAdminPageSigningIn(page, tenants.acme.id, people.outsider)).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Organisation not found');
    await expect(page.getByText('There is no such organisation, or you are not a member of it.')).toBeVisible();
    await expectAccessibleBasics(page);
    await screenshot(page, '58-tenant-admin-not-found');

    const response = await page.goto(TenantAdminPage.path('00000000-0000-4000-8000-000000000000'));
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Organisation not found');
  });
});
