// Qualities every page should have beyond working: fits a phone, and nothing the browser blocks.
import { expect, expectAccessibleBasics, expectNoHorizontalScroll, screenshot, test } from './fixtures.js';
import { registeredAndVerified, signInThroughDemo } from './flows.js';
import { ConsentPage } from './pages/ConsentPage.js';
import { DemoPage } from './pages/DemoPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { RegisterPage } from './pages/RegisterPage.js';
import { SelectTenantPage } from './pages/SelectTenantPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { seeded } from './seed-data.js';

test.describe('On a phone', () => {
  test.use({ viewport: { width: 360, height: 740 } });

  test('the sign-in, registration and demo result pages fit a 360 px wide screen', async ({ page }) => {
    const person = await registeredAndVerified(page, 'Radia');
    const demo = new DemoPage(page);
    await demo.open();
    await demo.startSignIn();
    await new LoginPage(page).expectShown();
    await expectNoHorizontalScroll(page);
    await screenshot(page, '40-phone-login');
    await new LoginPage(page).createAccount.click();
    await new RegisterPage(page).expectShown();
    await expectNoHorizontalScroll(page);
    await expectAccessibleBasics(page);
    await screenshot(page, '41-phone-register');
    await signInThroughDemo(page, person);
    await expectNoHorizontalScroll(page);
    await screenshot(page, '42-phone-demo-result');
  });

  test('the select-tenant and tenant admin pages fit a 360 px wide screen', async ({ page }) => {
    const { people, tenants } = seeded();
    const demo = new DemoPage(page);
    await demo.open();
    await demo.startSignIn();
    await new LoginPage(page).signIn(people.memberOfTwo.email, people.memberOfTwo.password);
    await new ConsentPage(page).allow();
    await new SelectTenantPage(page).expectShown();
    await expectNoHorizontalScroll(page);
    await screenshot(page, '43-phone-select-tenant');

    // Morgan administers Globex; the session from the sign-in above opens the page directly.
    const admin = new TenantAdminPage(page);
    await admin.open(tenants.globex.id);
    await admin.expectShown(tenants.globex);
    await expectNoHorizontalScroll(page);
    await screenshot(page, '44-phone-tenant-admin');
  });
});

test.describe('Content Security Policy', () => {
  test('the sign-in and registration pages use nothing the Content Security Policy blocks', async ({ page }) => {
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/.test(message.text()))
        violations.push(`${page.url()}: ${message.text()}`);
    });
    const demo = new DemoPage(page);
    await demo.open();
    await demo.startSignIn();
    const login = new LoginPage(page);
    await login.expectShown();
    await login.createAccount.click();
    await new RegisterPage(page).expectShown();
    expect(violations).toEqual([]);
  });
});
