// Signing in through a connection: the button on Tessera's sign-in page, the upstream provider's own
// login form (the test upstream: any login name), the page that offers to link a verified e-mail to the
// account that already has it, and the page for a failed upstream sign-in.
import { expect, type Locator, type Page } from '@playwright/test';

/** The test upstream's login form (oidc-provider's development form): a login name, any password. */
export class UpstreamLoginPage {
  constructor(readonly page: Page) {}

  /** `verified:<e-mail>` / `unverified:<e-mail>` bring that e-mail; any other login, none. */
  async signIn(login: string): Promise<void> {
    await this.page.getByPlaceholder('Enter any login').fill(login);
    await this.page.getByPlaceholder('and password').fill('any');
    await this.page.getByRole('button', { name: 'Sign-in' }).click();
  }
}

/** "Sign in with <connection>" on Tessera's sign-in page, then the upstream's form. */
export async function signInWithConnection(page: Page, connection: string, login: string): Promise<void> {
  await page.getByRole('button', { name: `Sign in with ${connection}` }).click();
  await new UpstreamLoginPage(page).signIn(login);
}

/** /interaction/:uid/link — an account already has the address the upstream confirmed. */
export class LinkAccountPage {
  readonly heading: Locator;
  readonly password: Locator;
  readonly linkButton: Locator;
  readonly separateButton: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.password = page.getByLabel('Password', { exact: true });
    this.linkButton = page.getByRole('button', { name: 'Sign in and link' });
    this.separateButton = page.getByRole('button', { name: 'Create a separate account' });
    this.error = page.getByRole('alert');
  }

  async expectShown(email: string, connection: string): Promise<void> {
    await expect(this.page).toHaveURL(/\/interaction\/[\w-]+\/link$/);
    await expect(this.heading).toHaveText('You already have an account');
    await expect(this.page.getByRole('main')).toContainText(`${connection} confirmed your address ${email}`);
  }

  async linkWithPassword(password: string): Promise<void> {
    await this.password.fill(password);
    await this.linkButton.click();
  }
}
