// Signing in or up with an SMS code: the button on the sign-in page, the number page, the code page, and the
// page that asks a new number's owner for a name.
import { expect, type Locator, type Page } from '@playwright/test';

export class PhonePages {
  readonly heading: Locator;
  readonly option: Locator;
  readonly number: Locator;
  readonly code: Locator;
  readonly name: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.option = page.getByRole('button', { name: 'Sign in with your phone' });
    this.number = page.getByLabel('Mobile number', { exact: true });
    this.code = page.getByLabel('Code', { exact: true });
    this.name = page.getByLabel('Your name', { exact: true });
    this.error = page.getByRole('alert');
  }

  /** From the sign-in page: the button, then the number page. */
  async choose(client = 'Tessera demo app'): Promise<void> {
    await this.option.click();
    await expect(this.heading).toHaveText(`Sign in to ${client} with your phone`);
  }

  /** Asks for a code to the number in the field (typed, or filled in by the flow). */
  async ask(phone?: string): Promise<void> {
    if (phone !== undefined) await this.number.fill(phone);
    await this.page.getByRole('button', { name: 'Text me a code' }).click();
    await expect(this.heading).toHaveText('Enter the code we texted you');
  }

  async enter(code: string): Promise<void> {
    await this.code.fill(code);
    await this.page.getByRole('button', { name: 'Continue', exact: true }).click();
  }

  /** A new number's owner names the account. */
  async createAccount(name: string): Promise<void> {
    await expect(this.heading).toHaveText('Create your account');
    await this.name.fill(name);
    await this.page.getByRole('button', { name: 'Create account', exact: true }).click();
  }
}
