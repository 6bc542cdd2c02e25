// The sign-in page of an interaction: /interaction/:uid. Identity-first (SIGN_IN_IDENTITY_FIRST, on in the
// browser tests): the address alone and "Continue", then the password step with the address filled in.
import { expect, type Locator, type Page } from '@playwright/test';

export class LoginPage {
  readonly heading: Locator;
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  /** The identity-first step's button. */
  readonly continueButton: Locator;
  readonly error: Locator;
  readonly createAccount: Locator;
  readonly forgotPassword: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    // The identity-first step takes a mobile number too when SMS codes are on.
    this.email = page.getByLabel(/^E-mail address( or mobile number)?$/);
    this.password = page.getByLabel('Password', { exact: true });
    this.submit = page.getByRole('button', { name: 'Sign in', exact: true });
    this.continueButton = page.getByRole('button', { name: 'Continue', exact: true });
    this.error = page.getByRole('alert');
    this.createAccount = page.getByRole('link', { name: 'Create one' });
    this.forgotPassword = page.getByRole('link', { name: 'Forgot your password?' });
  }

  async expectShown(client = 'Tessera demo app'): Promise<void> {
    // /login after a failed attempt, /identify after "Continue"; ?screen=login from "Continue to sign in" or the
    // registration page's "Sign in"; ?step= from "Sign in with a password" or "Use another address"
    await expect(this.page).toHaveURL(/\/interaction\/[\w-]+(\/login|\/identify|\?screen=login|\?step=\w+)?$/);
    await expect(this.heading).toHaveText(`Sign in to continue to ${client}`);
  }

  /** Types the address on the identity-first step and presses Continue. */
  async identify(email: string): Promise<void> {
    await this.email.fill(email);
    await this.continueButton.click();
  }

  /** Both steps when the page asks for the address first; the password step alone when it shows already. */
  async signIn(email: string, password: string): Promise<void> {
    if (await this.continueButton.isVisible()) {
      await this.identify(email);
      await expect(this.password).toBeVisible();
    }
    await this.email.fill(email);
    await this.password.fill(password);
    await this.submit.click();
  }

  /** The error shown after a failed sign-in; the page stays the sign-in page. */
  async expectError(text: string): Promise<void> {
    await expect(this.error).toHaveText(text);
    await expect(this.heading).toHaveText(/^Sign in to continue to /);
  }
}
