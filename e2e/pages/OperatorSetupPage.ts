// The first-operator setup page: /setup/:token
import { expect, type Locator, type Page } from '@playwright/test';

export class OperatorSetupPage {
  readonly heading: Locator;
  readonly signIn: Locator;
  readonly register: Locator;
  readonly become: Locator;
  readonly body: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.signIn = page.getByRole('link', { name: 'Sign in', exact: true });
    this.register = page.getByRole('link', { name: 'Create an account' });
    this.become = page.getByRole('button', { name: 'Become the operator' });
    this.body = page.locator('main');
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.heading).toHaveText('Become the first operator');
  }
}
