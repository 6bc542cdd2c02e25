// Signing in with an e-mail code: the button on the sign-in page, the address page, the code page, and the
// page the mailed link opens.
import { expect, type Locator, type Page } from '@playwright/test';

export class EmailCodePages {
  readonly heading: Locator;
  readonly option: Locator;
  readonly email: Locator;
  readonly code: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.option = page.getByRole('button', { name: 'Sign in with a code by e-mail' });
    this.email = page.getByLabel('E-mail address', { exact: true });
    this.code = page.getByLabel('Code', { exact: true });
    this.error = page.getByRole('alert');
  }

  /** From the sign-in page: the button, then the address page. */
  async choose(client = 'Tessera demo app'): Promise<void> {
    await this.option.click();
    await expect(this.heading).toHaveText(`Sign in to ${client} with a code`);
  }

  async ask(email: string): Promise<void> {
    await this.email.fill(email);
    await this.page.getByRole('button', { name: 'Send me a code' }).click();
    await expect(this.heading).toHaveText('Enter your sign-in code');
  }

  async enter(code: string): Promise<void> {
    await this.code.fill(code);
    await this.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  /** The page a mailed link opens: a button that signs in (opening the link alone does nothing). */
  async expectLinkShown(client = 'Tessera demo app'): Promise<Locator> {
    await expect(this.heading).toHaveText(`Sign in to ${client} with a code`);
    return this.page.getByRole('button', { name: `Continue to ${client}` });
  }
}
