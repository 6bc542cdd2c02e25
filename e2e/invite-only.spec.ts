// Invitation-only sign-up on a server of its own (REGISTRATION=invitation_only, TERMS_URL set; the main e2e
// server registers freely for the other specs): the sign-in page offers no sign-up and the registration
// address answers the polite refusal; through an invitation that fixes the name, the form shows it read-only,
// asks to accept the terms, and the account is created with that name. Screenshots at full width and 375 px.
import type { Page } from '@playwright/test';
import { type ConsoleServer, startSeededServer } from './console-server.js';
import { expect, expectAccessibleBasics, expectNoHorizontalScroll, screenshot, test, uniqueEmail } from './fixtures.js';
import { demoLoginPage } from './flows.js';
import { InvitationLandingPage } from './pages/InvitationPages.js';
import { CheckInboxPage, RegisterPage } from './pages/RegisterPage.js';

const PORT = Number(process.env.E2E_PORT ?? 3901) + 2000;

test.use({ baseURL: `http://localhost:${PORT}` });
test.describe.configure({ mode: 'serial' });

let server: ConsoleServer;

test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(90_000);
  server = await startSeededServer(PORT, {
    REGISTRATION: 'invitation_only',
    TERMS_URL: 'https://example.com/terms',
    TERMS_VERSION: '2026-12',
  });
});
test.afterAll(async () => {
  await server?.stop();
});

async function look(page: Page, name: string): Promise<void> {
  await expectAccessibleBasics(page);
  await screenshot(page, name);
  await page.setViewportSize({ width: 375, height: 800 });
  await expectNoHorizontalScroll(page);
  await screenshot(page, `${name}-375`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('without an invitation the sign-in page offers no sign-up, and the registration page says it is by invitation only', async ({
  page,
}) => {
  const login = await demoLoginPage(page);
  await expect(login.createAccount).toHaveCount(0);
  const registerUrl = `${page
    .url()
    .replace(/[?#].*$/, '')
    .replace(/\/(login|identify)$/, '')}/register`;
  const refused = await page.goto(registerUrl);
  expect(refused?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign-up is by invitation only');
  await expect(page.getByText('Sign-up here is by invitation only.', { exact: false })).toBeVisible();
  await look(page, '95-invite-only-refused');
});

test('through an invitation that fixes the name, the form shows it read-only and requires the terms', async ({
  page,
}) => {
  const landing = new InvitationLandingPage(page);
  await landing.openLink(server.seed.invitations.fixedName.url);
  await landing.expectSignedOutView('Umbrella');
  await landing.createAccountLink.click();
  const register = new RegisterPage(page);
  await register.expectShown('Tessera', { opensDirectly: true });
  await expect(register.name).toHaveValue('Fay Fixed');
  await expect(register.name).toHaveAttribute('readonly', '');
  await expect(page.getByText('Set by your invitation.')).toBeVisible();
  await expect(register.terms).toBeVisible();
  await expect(page.getByRole('link', { name: 'terms of service' })).toHaveAttribute(
    'href',
    'https://example.com/terms',
  );
  await look(page, '96-invite-only-register-prefilled');

  const email = uniqueEmail('fay');
  await register.email.fill(email);
  await register.password.fill('a long passphrase for Fay');
  // The browser would stop an unticked required box; the server refuses it too (novalidate form).
  await register.submit.click();
  await expect(register.errors).toHaveText('Please accept the terms of service to create your account.');
  await look(page, '97-invite-only-terms-required');

  await register.password.fill('a long passphrase for Fay');
  await register.terms.check();
  await register.submit.click();
  await new CheckInboxPage(page).expectShown(email);
});
