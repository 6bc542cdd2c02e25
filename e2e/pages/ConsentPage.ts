// The consent prompt of an interaction: "<app> would like to access your account", Allow / Deny.
import { expect, type Locator, type Page } from '@playwright/test';

export class ConsentPage {
  readonly heading: Locator;
  readonly scopes: Locator;
  readonly allowButton: Locator;
  readonly denyButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.scopes = page.locator('ul.scopes li');
    this.allowButton = page.getByRole('button', { name: 'Allow', exact: true });
    this.denyButton = page.getByRole('button', { name: 'Deny', exact: true });
  }

  async expectShown(client = 'Tessera demo app'): Promise<void> {
    await expect(this.page).toHaveURL(/\/interaction\/[\w-]+$/);
    await expect(this.heading).toHaveText(`${client} would like to access your account`);
  }

  async allow(): Promise<void> {
    await this.allowButton.click();
  }
}
