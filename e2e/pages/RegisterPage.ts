// Registration inside an interaction (/interaction/:uid/register) and the "Check your inbox" page after it.
import { expect, type Locator, type Page } from '@playwright/test';

export class RegisterPage {
  readonly heading: Locator;
  readonly name: Locator;
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly errors: Locator;
  /** The terms of service checkbox (TERMS_URL set). */
  readonly terms: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.name = page.getByLabel('Your name', { exact: true });
    this.email = page.getByLabel('E-mail address', { exact: true });
    this.password = page.getByLabel('Password', { exact: true });
    this.submit = page.getByRole('button', { name: 'Create account' });
    this.errors = page.getByRole('alert');
    this.terms = page.getByRole('checkbox', { name: 'I accept the terms of service' });
  }

  /** `opensDirectly`: a link asked for the form (an invitation's "Create an account"), so it is the interaction's own page. */
  async expectShown(client = 'Tessera demo app', { opensDirectly = false } = {}): Promise<void> {
    await expect(this.page).toHaveURL(opensDirectly ? /\/interaction\/[\w-]+$/ : /\/interaction\/[\w-]+\/register$/);
    await expect(this.heading).toHaveText(`Create an account for ${client}`);
  }

  async register(person: { name: string; email: string; password: string }): Promise<void> {
    await this.name.fill(person.name);
    await this.email.fill(person.email);
    await this.password.fill(person.password);
    await this.submit.click();
  }
}

export class CheckInboxPage {
  readonly heading: Locator;
  readonly continueToSignIn: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.continueToSignIn = page.getByRole('link', { name: 'Continue to sign in' });
  }

  async expectShown(email: string): Promise<void> {
    await expect(this.heading).toHaveText('Check your inbox');
    await expect(this.page.getByText(`We have sent a message to ${email}.`)).toBeVisible();
  }
}
