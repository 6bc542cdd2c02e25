// The operator console (/admin) on a server of its own whose seed made Casey Console an operator: she signs
// in through Tessera, registers a client and rotates its secret, finds an account and disables and enables
// it, reads the audit trail; registers a webhook endpoint, causes an event and sees its delivery reach a
// receiver on loopback and the console's log, and replays it; walks operators, keys, outbox, APIs and
// connections; someone who is no operator gets the 403 page. Every page passes axe-core and is looked at in
// screenshots, at full width and at 375 px.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import * as oidc from 'openid-client';
import { CONSOLE_URL, type ConsoleServer, startConsoleServer } from './console-server.js';
import { expect, expectAccessibleBasics, screenshot, test } from './fixtures.js';
import { LoginPage } from './pages/LoginPage.js';
import type { Seed } from './seed-data.js';
import { verifyStandardWebhook, WebhookReceiver } from '../test/support/webhook-receiver.js';

test.use({ baseURL: CONSOLE_URL });
test.describe.configure({ mode: 'serial' });

let server: ConsoleServer;
let seed: Seed;

test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(90_000);
  server = await startConsoleServer();
  seed = server.seed;
});
test.afterAll(async () => {
  await server?.stop();
});

/** axe-core finds nothing, the basics hold, and the page fits 375 px with nothing wider than it. */
async function checkPage(page: Page, name: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await expectAccessibleBasics(page);
  await screenshot(page, name);
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 375, height: 800 });
  const widths = await page.evaluate(() => {
    const view = globalThis as unknown as {
      innerWidth: number;
      document: { documentElement: { scrollWidth: number } };
    };
    return { page: view.document.documentElement.scrollWidth, view: view.innerWidth };
  });
  expect(widths.page, 'nothing is wider than a 375 px screen').toBeLessThanOrEqual(widths.view);
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  await screenshot(page, `${name}-375`);
  await page.setViewportSize(size);
}

async function signInAs(page: Page, who: { email: string; password: string }, path = '/admin'): Promise<void> {
  await page.goto(path);
  const login = new LoginPage(page);
  await login.expectShown('Tessera');
  await login.signIn(who.email, who.password);
}

test('the operator registers a client, sees its secret once, and rotates it after confirming', async ({ page }) => {
  await signInAs(page, seed.people.consoleOperator);
  await expect(page).toHaveURL(/\/admin\/clients$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Clients');
  await checkPage(page, '90-console-clients');

  await page.getByRole('link', { name: 'Register a client' }).click();
  await checkPage(page, '91-console-client-new');
  await page.getByLabel('Name', { exact: true }).fill('Billing portal');
  await page.getByLabel('Redirect URIs', { exact: true }).fill('https://billing.example/callback');
  await page.getByRole('button', { name: 'Register the client' }).click();

  await expect(page.getByRole('status')).toHaveText('The client is registered.');
  const secret = page.getByRole('textbox', { name: 'Client secret' });
  const first = await secret.inputValue();
  expect(first.length).toBeGreaterThan(30);
  await checkPage(page, '92-console-client-created');

  await page.getByRole('button', { name: 'Rotate the secret…' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rotate the secret of Billing portal?');
  await checkPage(page, '93-console-confirm-rotate');
  await page.getByRole('button', { name: 'Rotate the secret' }).click();
  await expect(page.getByRole('status')).toHaveText('The secret is rotated.');
  const second = await page.getByRole('textbox', { name: 'Client secret' }).inputValue();
  expect(second).not.toBe(first);
  await expect(page.getByRole('cell', { name: 'client.secret_rotated' })).toBeVisible();

  await page.getByRole('link', { name: 'Clients', exact: true }).click();
  await page.getByRole('searchbox', { name: 'Search clients' }).fill('billing');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'Billing portal' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Billing portal');
  await expect(page.getByRole('textbox', { name: 'Client secret' }), 'the secret is never shown again').toHaveCount(0);
});

test('the operator finds an account, disables it after confirming, and enables it again', async ({ page }) => {
  const olly = seed.people.outsider;
  await signInAs(page, seed.people.consoleOperator, '/admin/accounts');
  await checkPage(page, '94-console-accounts');
  await page.getByRole('searchbox', { name: 'Search accounts' }).fill('outsider');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('row')).toHaveCount(2);
  await page.getByRole('link', { name: olly.name }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(olly.name);
  await checkPage(page, '95-console-account');

  await page.getByRole('button', { name: 'Disable the account…' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Disable ${olly.email}?`);
  await checkPage(page, '96-console-confirm-disable');
  await page.getByRole('button', { name: 'Disable the account' }).click();
  await expect(page.getByRole('status')).toHaveText('The account is disabled and its sessions ended.');
  await expect(page.locator('.title-row .badge')).toHaveText('Disabled');
  await expect(page.getByRole('cell', { name: 'account.disabled' })).toBeVisible();

  await page.getByRole('button', { name: 'Enable the account' }).click();
  await expect(page.getByRole('status')).toHaveText('The account is enabled.');
  await expect(page.locator('.title-row .badge')).toHaveText('Active');
});

test('a client registered in the console signs a person in from a relying party; disabling them ends their session and their refresh token', async ({
  page,
  browser,
}) => {
  const uma = seed.people.acmeUser;
  const redirectUri = `${CONSOLE_URL}/rp/callback`;
  await signInAs(page, seed.people.consoleOperator, '/admin/clients/new');
  await page.getByLabel('Name', { exact: true }).fill('Relying party');
  await page.getByLabel('Redirect URIs', { exact: true }).fill(redirectUri);
  await page.getByRole('button', { name: 'Register the client' }).click();
  await expect(page.getByRole('status')).toHaveText('The client is registered.');
  const clientId = (await page.locator('dt:has-text("Client ID") + dd code').innerText()).trim();
  const secret = await page.getByRole('textbox', { name: 'Client secret' }).inputValue();

  // The relying party: openid-client here, the person's browser a context of its own; the app's callback is
  // answered by the test (nothing listens there), which then redeems the code as the app would.
  const rp = await oidc.discovery(new URL(CONSOLE_URL), clientId, secret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const authorize = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: redirectUri,
    scope: 'openid email',
    state: 'rp-state',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const person = await browser.newContext({ baseURL: CONSOLE_URL });
  const theirs = await person.newPage();
  await theirs.route(`${redirectUri}?**`, (route) => route.fulfill({ body: 'back at the app' }));
  await theirs.goto(authorize.href);
  await new LoginPage(theirs).signIn(uma.email, uma.password);
  await theirs.getByRole('button', { name: 'Allow', exact: true }).click();
  await theirs.waitForURL(`${redirectUri}?**`);
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(theirs.url()), {
    pkceCodeVerifier: verifier,
    expectedState: 'rp-state',
  });
  expect(tokens.claims()?.email).toBe(uma.email);
  expect(tokens.refresh_token).toBeTruthy();

  await page.goto('/admin/accounts');
  await page.getByRole('searchbox', { name: 'Search accounts' }).fill(uma.email);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: uma.name }).click();
  await page.getByRole('button', { name: 'Disable the account…' }).click();
  await page.getByRole('button', { name: 'Disable the account' }).click();
  await expect(page.getByRole('status')).toHaveText('The account is disabled and its sessions ended.');

  await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  await theirs.goto('/account');
  await new LoginPage(theirs).expectShown('Tessera');
  await person.close();

  await page.getByRole('button', { name: 'Enable the account' }).click();
  await expect(page.getByRole('status')).toHaveText('The account is enabled.');
});

test('the operator reads the audit trail, filtered by event, and the tenants', async ({ page }) => {
  await signInAs(page, seed.people.consoleOperator, '/admin/audit');
  await checkPage(page, '97-console-audit');
  await page.getByLabel('Event').fill('client.secret_rotated');
  await page.getByRole('button', { name: 'Apply the filter' }).click();
  await expect(page.getByRole('cell', { name: 'client.secret_rotated' })).toHaveCount(1);
  await expect(page.getByRole('cell', { name: 'account.disabled' })).toHaveCount(0);

  await page.getByRole('link', { name: 'Tenants', exact: true }).click();
  await checkPage(page, '98-console-tenants');
  await page.getByRole('link', { name: 'Acme' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Acme');
  await checkPage(page, '99-console-tenant');
});

test('someone signed in who is not an operator gets the 403 page', async ({ page }) => {
  await signInAs(page, seed.people.outsider);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This console is for operators');
  await checkPage(page, '89-console-forbidden');
});

test('the operator registers a webhook endpoint, sees a delivery of a new tenant arrive signed, and replays it', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const receiver = await WebhookReceiver.start();
  try {
    await signInAs(page, seed.people.consoleOperator, '/admin/webhooks');
    await checkPage(page, 'c01-console-webhooks');
    await page.getByLabel('URL', { exact: true }).fill(receiver.url);
    await page.getByLabel('Description').fill('Billing sync');
    await page.getByLabel('tenant.created').check();
    await page.getByRole('button', { name: 'Register the endpoint' }).click();
    await expect(page.getByRole('status')).toHaveText('The endpoint is registered.');
    const secret = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    await checkPage(page, 'c02-console-webhook-created');

    await page.getByRole('link', { name: 'Tenants', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('Hooked Ltd');
    await page.getByRole('button', { name: 'Create the tenant' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hooked Ltd');
    const [first] = await receiver.waitFor(1);
    expect(verifyStandardWebhook(secret, first!), 'signed with the secret shown once').toBe(true);
    expect(JSON.parse(first!.body)).toMatchObject({ type: 'tenant.created' });

    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('link', { name: receiver.url }).click();
    await expect(page.getByRole('textbox', { name: 'Signing secret' }), 'shown once').toHaveCount(0);
    await expect(async () => {
      await page.reload();
      await expect(page.getByRole('cell', { name: 'Delivered' })).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    await checkPage(page, 'c03-console-webhook');
    await page
      .getByRole('row', { name: /tenant\.created/ })
      .getByRole('link')
      .click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Delivery of tenant.created');
    await expect(page.getByRole('cell', { name: '200' })).toBeVisible();
    await checkPage(page, 'c04-console-webhook-delivery');

    await page.getByRole('button', { name: 'Replay this delivery' }).click();
    await expect(page.getByRole('status')).toHaveText('The delivery is queued again.');
    const [, replayed] = await receiver.waitFor(2);
    expect(replayed!.headers['webhook-id'], 'a replay keeps the webhook-id').toBe(first!.headers['webhook-id']);
    expect(verifyStandardWebhook(secret, replayed!)).toBe(true);

    await page.getByRole('link', { name: '← The endpoint' }).click();
    await page.getByRole('button', { name: 'Delete the endpoint…' }).click();
    await checkPage(page, 'c05-console-confirm-endpoint-delete');
    await page.getByRole('button', { name: 'Delete the endpoint' }).click();
    await expect(page.getByRole('status')).toHaveText('The endpoint is deleted.');
  } finally {
    await receiver.close();
  }
});

test('the operator reads the operators, runs a key rotation phase and reads the outbox without message texts', async ({
  page,
}) => {
  await signInAs(page, seed.people.consoleOperator, '/admin/operators');
  await expect(page.getByRole('cell', { name: /\(you\)/ })).toBeVisible();
  await checkPage(page, 'c06-console-operators');

  await page.getByRole('link', { name: 'Signing keys', exact: true }).click();
  await page.getByRole('button', { name: 'Run the next rotation phase' }).click();
  await expect(page.getByRole('status')).toContainText('Next keys are introduced.');
  await expect(page.getByRole('cell', { name: 'Next' })).toHaveCount(2);
  await checkPage(page, 'c07-console-keys');

  await page.goto(`/admin/accounts?q=${encodeURIComponent(seed.people.outsider.email)}`);
  await page.getByRole('link', { name: seed.people.outsider.name }).click();
  await page.getByRole('button', { name: 'Send a password reset' }).click();
  await page.getByRole('link', { name: 'Outbox', exact: true }).click();
  await expect(page.getByRole('cell', { name: 'Reset your password' }).first()).toBeVisible();
  await expect(page.locator('main'), 'never a link from a message').not.toContainText('/reset-password/new');
  await checkPage(page, 'c08-console-outbox');
});

test('the operator registers an API and adds a global connection whose secret is never shown back', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signInAs(page, seed.people.consoleOperator, '/admin/resources');
  await page.getByRole('textbox', { name: 'Audience' }).fill('https://ledger.example/api');
  await page.getByLabel('Name', { exact: true }).fill('Ledger API');
  await page.getByLabel('Permissions', { exact: true }).fill('invoices:read\ninvoices:write');
  await page.getByRole('button', { name: 'Register the API' }).click();
  await expect(page.getByRole('status')).toHaveText('The API is registered.');
  await checkPage(page, 'c09-console-resource');
  await page.getByRole('link', { name: '← All APIs' }).click();
  await checkPage(page, 'c10-console-resources');

  await page.getByRole('link', { name: 'Connections', exact: true }).click();
  await checkPage(page, 'c11-console-connections');
  await page.getByRole('link', { name: 'Add a connection' }).click();
  await page.getByLabel('Slug', { exact: true }).fill('partner-sso');
  await page.getByLabel('Name', { exact: true }).fill('Partner SSO');
  await page.getByLabel('Issuer', { exact: true }).fill('https://sso.partner.example');
  await page.getByLabel('Client ID at the provider', { exact: true }).fill('tessera');
  await page.getByLabel('Client secret', { exact: true }).fill('upstream-secret-value');
  await checkPage(page, 'c12-console-connection-new');
  await page.getByRole('button', { name: 'Add the connection' }).click();
  await expect(page.getByRole('status')).toContainText('The connection is added.');
  await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue('');
  expect(await page.content()).not.toContain('upstream-secret-value');
  await checkPage(page, 'c13-console-connection');
});
