// The start page: /
import { expect, type Locator, type Page } from '@playwright/test';

export class HomePage {
  readonly heading: Locator;
  readonly signIn: Locator;
  readonly account: Locator;
  readonly console: Locator;
  readonly demo: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.signIn = page.getByRole('link', { name: 'Sign in', exact: true });
    this.account = page.getByRole('link', { name: 'Your account' });
    this.console = page.getByRole('link', { name: 'Operator console' });
    this.demo = page.getByRole('link', { name: 'Try the demo app' });
  }

  async open(): Promise<void> {
    await this.page.goto('/');
    await expect(this.heading).toHaveText('Tessera identity server');
  }
}
