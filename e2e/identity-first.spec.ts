// Identity-first sign-in and home-realm discovery in a real browser (the e2e server runs with
// SIGN_IN_IDENTITY_FIRST): Cyberdyne's admin routes its verified domain cyberdyne.test (attested in the seed)
// to Cyberdyne's own connection and turns passwords off; a person types only their address and lands at the
// company's provider, then back at the demo app; a password for the domain is refused with the way to go
// there; any other address gets the password step. Screenshots go to /tmp/idf-*.png, also at 375 px.
import type { Page } from '@playwright/test';
import { expect, expectAccessibleBasics, expectNoHorizontalScroll, testWithBrowsers } from './fixtures.js';
import { demoLoginPage } from './flows.js';
import { ConsentPage } from './pages/ConsentPage.js';
import { DemoPage } from './pages/DemoPage.js';
import { DomainSignInForm } from './pages/DomainPages.js';
import { UpstreamLoginPage } from './pages/FederationPages.js';
import { LoginPage } from './pages/LoginPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { SEED_TENANT_CONNECTION, seeded } from './seed-data.js';

const test = testWithBrowsers;
test.describe.configure({ timeout: 90_000 });

const DOMAIN = 'cyberdyne.test';
const CONNECTION = SEED_TENANT_CONNECTION.name;

/** The page at the default width and as a 375 px phone sees it (no sideways scrolling there). */
async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `/tmp/idf-${name}.png`, fullPage: true });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: `/tmp/idf-${name}-375.png`, fullPage: true });
  await expectNoHorizontalScroll(page);
  if (size) await page.setViewportSize(size);
}

test('a tenant routes its domain to its provider: the address alone leads there, and a password for it is refused with the way to go there', async ({
  page,
  anotherBrowser,
}) => {
  const { people, tenants } = seeded();
  const cyberdyne = tenants[SEED_TENANT_CONNECTION.tenant];

  await test.step('the admin routes cyberdyne.test to the connection and turns passwords off', async () => {
    await new TenantAdminPage(page).open(cyberdyne.id);
    await new LoginPage(page).signIn(people.jitAdmin.email, people.jitAdmin.password);
    await new DomainSignInForm(page, DOMAIN).route(CONNECTION, 'Off: only through the connection');
    await expect(page.getByRole('status').first()).toContainText('How people of the domain sign in is saved.');
    const form = new DomainSignInForm(page, DOMAIN).form;
    await expect(form.getByLabel(`${DOMAIN} signs in through`)).toHaveValue(/[\w-]{36}/);
    await expectAccessibleBasics(page);
    await form.scrollIntoViewIfNeeded();
    await page.locator('ul.domains > li', { hasText: DOMAIN }).screenshot({ path: '/tmp/idf-admin-domain.png' });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.locator('ul.domains > li', { hasText: DOMAIN }).screenshot({ path: '/tmp/idf-admin-domain-375.png' });
    await expectNoHorizontalScroll(page);
  });

  await test.step('a person types only their address and lands at the company provider, then back at the app', async () => {
    const person = await anotherBrowser();
    const login = await demoLoginPage(person);
    await expect(login.password).toBeHidden();
    await expectAccessibleBasics(person);
    await shoot(person, 'identify');
    await login.identify(`miles@${DOMAIN}`);
    await expect(person.getByPlaceholder('Enter any login')).toBeVisible();
    await new UpstreamLoginPage(person).signIn(`verified:miles@${DOMAIN}`);
    const consent = new ConsentPage(person);
    await consent.expectShown();
    await consent.allow();
    const demo = new DemoPage(person);
    await demo.expectSignedIn();
    const claims = await demo.idTokenClaims();
    expect(claims.idp).toBe(SEED_TENANT_CONNECTION.slug);
    expect(claims.email).toBe(`miles@${DOMAIN}`);
  });

  await test.step('any other address gets the password step with the address filled in', async () => {
    const someone = await anotherBrowser();
    const login = await demoLoginPage(someone);
    await login.identify('someone@example.test');
    await expect(login.password).toBeVisible();
    await expect(login.email).toHaveValue('someone@example.test');
    await shoot(someone, 'password-step');
  });

  await test.step('a password for the domain is never checked: the page says where to sign in, with a button', async () => {
    const guesser = await anotherBrowser();
    const login = await demoLoginPage(guesser);
    await guesser.getByRole('link', { name: 'Sign in with a password' }).click();
    await login.signIn(`miles@${DOMAIN}`, 'any password at all');
    await expect(login.error).toHaveText(`Your organisation signs you in through ${CONNECTION}.`);
    const go = guesser.getByRole('button', { name: `Continue with ${CONNECTION}` });
    await expect(go).toBeVisible();
    await expectAccessibleBasics(guesser);
    await shoot(guesser, 'password-refused');
    await go.click();
    await expect(guesser.getByPlaceholder('Enter any login')).toBeVisible();
  });
});
