// Signing in through a connection (e2e/start-server.ts runs an upstream OpenID provider; e2e/seed.ts adds
// the global connection "Corp ID", trusted for its e-mails), one test per linking rule, an invitation
// accepted by an account without e-mail, and the account page's sections. Each person has a browser of
// their own. Screenshots go to /tmp/h8-*.png.
import type { Page } from '@playwright/test';
import { expect, expectAccessibleBasics, testWithBrowsers, uniqueEmail } from './fixtures.js';
import { registeredAndVerified, newPerson } from './flows.js';
import { ConsentPage } from './pages/ConsentPage.js';
import { DemoPage } from './pages/DemoPage.js';
import { LinkAccountPage, signInWithConnection } from './pages/FederationPages.js';
import { InvitationDonePage, InvitationLandingPage, InvitationPrompt } from './pages/InvitationPages.js';
import { LoginPage } from './pages/LoginPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { MailPage, SUBJECTS } from './pages/MailPage.js';
import { CheckInboxPage, RegisterPage } from './pages/RegisterPage.js';
import { seeded } from './seed-data.js';

const CONNECTION = 'Corp ID';

const test = testWithBrowsers;

// Each test signs people in through two providers and registers some first: more than the default 30 s on a busy machine.
test.describe.configure({ timeout: 90_000 });

const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/h8-${name}.png`, fullPage: true });

/** Demo app → "Sign in with Corp ID" → the upstream's form as `login`. */
async function demoThroughConnection(page: Page, login: string): Promise<DemoPage> {
  const demo = new DemoPage(page);
  await demo.open();
  await demo.startSignIn();
  await new LoginPage(page).expectShown();
  await signInWithConnection(page, CONNECTION, login);
  return demo;
}

async function allowAndExpectSignedIn(page: Page, demo: DemoPage): Promise<Record<string, unknown>> {
  const consent = new ConsentPage(page);
  await consent.expectShown();
  await consent.allow();
  await demo.expectSignedIn();
  return demo.idTokenClaims();
}

test('linking rule: a verified upstream e-mail of an existing account is not merged; after its password the identity is linked', async ({
  page,
  anotherBrowser,
}) => {
  const owner = await registeredAndVerified(page, 'Linda');
  const idOfOwner = (await allowAndExpectSignedIn(page, await passwordSignIn(page, owner))).sub;

  const other = await anotherBrowser();
  const demo = await demoThroughConnection(other, `verified:${owner.email}`);
  const link = new LinkAccountPage(other);
  await link.expectShown(owner.email, CONNECTION);
  await expectAccessibleBasics(other);
  await shot(other, 'link-offer');
  await other.setViewportSize({ width: 375, height: 800 });
  await shot(other, 'link-offer-375');
  await other.setViewportSize({ width: 1280, height: 800 });
  await link.linkWithPassword('not the password');
  await expect(link.error).toContainText('That password is not the one of this account');
  await link.linkWithPassword(owner.password);
  const claims = await allowAndExpectSignedIn(other, demo);
  expect(claims.sub).toBe(idOfOwner);
  expect(claims.amr).toEqual(['fed', 'pwd']);
  expect(claims.idp).toBe('corp-id');
});

test('linking rule: the person may keep a separate account instead of linking', async ({ page, anotherBrowser }) => {
  const owner = await registeredAndVerified(page, 'Seppo');
  const other = await anotherBrowser();
  const demo = await demoThroughConnection(other, `verified:${owner.email}`);
  const link = new LinkAccountPage(other);
  await link.expectShown(owner.email, CONNECTION);
  await link.separateButton.click();
  const claims = await allowAndExpectSignedIn(other, demo);
  expect(claims.email).toBe(owner.email);
  expect(claims.amr).toEqual(['fed']);
  await shot(other, 'separate-account');
});

test('linking rule: an unverified upstream e-mail never links; a separate account is made with it unconfirmed', async ({
  page,
  anotherBrowser,
}) => {
  const owner = await registeredAndVerified(page, 'Ursula');
  const other = await anotherBrowser();
  const demo = await demoThroughConnection(other, `unverified:${owner.email}`);
  await expect(other.getByRole('heading', { name: 'You already have an account' })).toHaveCount(0);
  const claims = await allowAndExpectSignedIn(other, demo);
  expect(claims.email).toBe(owner.email);
  expect(claims.email_verified).toBe(false);
  await shot(other, 'unverified-separate');
});

test('linking rule: registering a password for an address an account from a connection holds: the same answer, and a mail to add a password', async ({
  page,
  anotherBrowser,
}) => {
  const email = uniqueEmail('fedreg');
  await allowAndExpectSignedIn(page, await demoThroughConnection(page, `verified:${email}`));

  const other = await anotherBrowser();
  const demo = new DemoPage(other);
  await demo.open();
  await demo.startSignIn();
  await new LoginPage(other).createAccount.click();
  const register = new RegisterPage(other);
  await register.register({ ...newPerson('Fedreg'), email });
  await new CheckInboxPage(other).expectShown(email);
  await shot(other, 'register-taken-answer');
  const link = await new MailPage(other).newestLink(email, SUBJECTS.alreadyRegistered, '/reset-password/new');
  expect(link).toContain('/reset-password/new?code=');
  await shot(other, 'register-taken-mail');
});

test('an invitation by link is accepted by an account from a connection that has no e-mail', async ({ page }) => {
  const { invitations, tenants } = seeded();
  const landing = new InvitationLandingPage(page);
  await landing.openLink(invitations.forNoEmail.url);
  await landing.expectSignedOutView(tenants.umbrella.name);
  await landing.signInLink.click();
  await new LoginPage(page).expectShown('Tessera');
  await signInWithConnection(page, CONNECTION, `nomail-${crypto.randomUUID().slice(0, 8)}`);
  const prompt = new InvitationPrompt(page);
  await prompt.expectShown(tenants.umbrella.name);
  await prompt.join(tenants.umbrella.name);
  await new InvitationDonePage(page).expectJoined(tenants.umbrella.name);
});

test('the account page of an account from a connection: ways to sign in, sessions and apps, delete', async ({
  page,
}) => {
  await page.goto('/account');
  await new LoginPage(page).expectShown('Tessera');
  await expect(page.getByRole('button', { name: `Sign in with ${CONNECTION}` })).toBeVisible();
  await shot(page, 'login-options');
  await signInWithConnection(page, CONNECTION, `verified:${uniqueEmail('acct')}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  await expect(page.getByRole('heading', { name: 'Ways to sign in' })).toBeVisible();
  await expect(page.getByText(`Through ${CONNECTION}`)).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sessions and apps' })).toBeVisible();
  await expectAccessibleBasics(page);
  await shot(page, 'account');
  await page.setViewportSize({ width: 375, height: 800 });
  await shot(page, 'account-375');
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.getByRole('button', { name: `Remove ${CONNECTION}` }).click();
  await expect(page.getByRole('alert')).toContainText('only way to sign in');
  await page.getByLabel('Yes, delete my account for good').check();
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account is deleted');
});

async function passwordSignIn(page: Page, who: { email: string; password: string }): Promise<DemoPage> {
  const demo = new DemoPage(page);
  await demo.open();
  await demo.startSignIn();
  const login = new LoginPage(page);
  await login.expectShown();
  await login.signIn(who.email, who.password);
  return demo;
}

test("a tenant admin adds the tenant's own connection on the admin page; the secret is not shown back", async ({
  page,
}) => {
  const { people, tenants } = seeded();
  await new TenantAdminPage(page).openSignedIn(tenants.hooli, people.inviter);
  const form = page.getByRole('form', { name: 'Add connection' });
  await form.getByLabel('Name', { exact: true }).fill('Hooli SSO');
  await form.getByLabel('Short name').fill('hooli-sso');
  await form.getByLabel('Issuer URL').fill('https://login.hooli.example');
  await form.getByLabel('Client id').fill('tessera');
  await form.getByLabel('Client secret').fill('a-secret-never-shown');
  await form.getByRole('button', { name: 'Add connection' }).click();
  await expect(page.getByText('The connection is added.')).toBeVisible();
  await expect(page.getByRole('cell', { name: /\/connections\/hooli-sso\/callback/ })).toBeVisible();
  await expect(page.locator('main')).not.toContainText('a-secret-never-shown');
  await shot(page, 'tenant-connections');
  await page.setViewportSize({ width: 375, height: 800 });
  await shot(page, 'tenant-connections-375');
});

test('a failed upstream sign-in has a page that says nothing changed', async ({ page }) => {
  await page.goto('/connections/corp-id/callback?state=unknown&code=x');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The sign-in did not complete');
  await expect(page.getByText('Nothing was changed.', { exact: false })).toBeVisible();
  await expectAccessibleBasics(page);
  await shot(page, 'connection-failed');
});
