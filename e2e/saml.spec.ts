// Signing in to the demo app through a SAML 2.0 connection (e2e/start-server.ts runs the test SAML IdP;
// e2e/seed.ts adds the global connection "Corp SAML" from its metadata URL, trusted for its e-mails): the
// AuthnRequest goes to the IdP, its signed response is posted back to the ACS, and the sign-in ends like
// any other. A refused response shows the "did not complete" page. Screenshots go to /tmp/h5-saml-*.png.
import type { Page } from '@playwright/test';
import { startSamlIdp } from '../test/support/saml-idp.js';
import { expect, expectAccessibleBasics, test, uniqueEmail } from './fixtures.js';
import { ConsentPage } from './pages/ConsentPage.js';
import { DemoPage } from './pages/DemoPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { seeded } from './seed-data.js';

const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/h5-saml-${name}.png`, fullPage: true });

test.describe.configure({ timeout: 60_000 });

test('sign in to the demo app through the SAML IdP: a new account with the asserted e-mail, amr fed, idp corp-saml', async ({
  page,
}) => {
  const email = uniqueEmail('saml');
  const demo = new DemoPage(page);
  await demo.open();
  await demo.startSignIn();
  await new LoginPage(page).expectShown();
  const button = page.getByRole('button', { name: 'Sign in with Corp SAML' });
  await expect(button).toBeVisible();
  await shot(page, 'sign-in');
  await button.click();
  // The test IdP's own form; its answer posts the signed response to Tessera's ACS by itself.
  await expect(page.getByRole('heading', { name: 'Test SAML IdP' })).toBeVisible();
  await page.getByLabel('Login').fill(`verified:${email}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const consent = new ConsentPage(page);
  await consent.expectShown();
  await consent.allow();
  await demo.expectSignedIn();
  const claims = await demo.idTokenClaims();
  expect(claims.email).toBe(email);
  expect(claims.email_verified).toBe(true);
  expect(claims.amr).toEqual(['fed']);
  expect(claims.idp).toBe('corp-saml');
  await shot(page, 'signed-in');
  await page.setViewportSize({ width: 375, height: 800 });
  await shot(page, 'signed-in-375');
});

test('a response Tessera refuses (not signed) shows that the sign-in did not complete, with the way back', async ({
  page,
}) => {
  // An unsigned response posted to the ACS, as a forged form on another site would.
  await page.setContent(
    `<form method="post" action="http://localhost:${process.env.E2E_PORT ?? '3901'}/connections/corp-saml/saml/acs"><input type="hidden" name="SAMLResponse" value="${Buffer.from('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>').toString('base64')}"><button>Post</button></form>`,
  );
  await page.getByRole('button', { name: 'Post' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('did not complete');
  await expectAccessibleBasics(page);
  await shot(page, 'refused');
  await page.setViewportSize({ width: 375, height: 800 });
  await shot(page, 'refused-375');
});

test("a tenant admin adds the tenant's SAML IdP on the admin page from its metadata URL; the page shows the SP metadata URL", async ({
  page,
}) => {
  const idp = await startSamlIdp();
  try {
    const { people, tenants } = seeded();
    await new TenantAdminPage(page).openSignedIn(tenants.hooli, people.inviter);
    const slug = `hooli-saml-${Date.now().toString(36)}`;
    const form = page.getByRole('form', { name: 'Add a SAML connection' });
    await form.getByLabel('Name', { exact: true }).fill('Hooli SAML');
    await form.getByLabel('Short name').fill(slug);
    await form.getByLabel('IdP metadata URL').fill(`${idp.url}/missing`);
    await form.getByRole('button', { name: 'Add a SAML connection' }).click();
    await expect(page.getByRole('alert')).toContainText('The SAML metadata cannot be used');
    await page
      .getByRole('form', { name: 'Add a SAML connection' })
      .getByLabel('Name', { exact: true })
      .fill('Hooli SAML');
    await page.getByRole('form', { name: 'Add a SAML connection' }).getByLabel('Short name').fill(slug);
    await page
      .getByRole('form', { name: 'Add a SAML connection' })
      .getByLabel('IdP metadata URL')
      .fill(idp.metadataUrl);
    await page.getByRole('button', { name: 'Add a SAML connection' }).click();
    await expect(page.getByText('The connection is added.')).toBeVisible();
    await expect(page.getByRole('cell', { name: new RegExp(`/connections/${slug}/saml/metadata`) })).toBeVisible();
    await expectAccessibleBasics(page);
    await page.locator('#connections').scrollIntoViewIfNeeded();
    await shot(page, 'tenant-admin');
    await page.setViewportSize({ width: 375, height: 800 });
    await shot(page, 'tenant-admin-375');
    // The connections table and the SAML form fit a phone (long URLs wrap).
    const wide = await page.evaluate(() =>
      Array.from(
        document.querySelectorAll('table.connections, table.connections *, form[aria-label="Add a SAML connection"] *'),
      )
        .filter((e) => e.getBoundingClientRect().right > 376)
        .map((e) => e.tagName),
    );
    expect(wide).toEqual([]);
  } finally {
    await idp.close();
  }
});
