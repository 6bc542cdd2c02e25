// The select-tenant prompt of an interaction: "Choose an organisation", one radio button per tenant
// (labelled with the tenant's name and the person's roles in it), and "Continue".
import { expect, type Locator, type Page } from '@playwright/test';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class SelectTenantPage {
  readonly heading: Locator;
  readonly options: Locator;
  readonly continueButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.options = page.getByRole('radio');
    this.continueButton = page.getByRole('button', { name: 'Continue', exact: true });
  }

  async expectShown(client = 'Tessera demo app'): Promise<void> {
    await expect(this.page).toHaveURL(/\/interaction\/[\w-]+$/);
    await expect(this.heading).toHaveText('Choose an organisation');
    await expect(this.page.getByText(`Which one do you want to use in ${client}?`)).toBeVisible();
  }

  /** The radio button of a tenant, found by the tenant's name at the start of its label. */
  option(tenantName: string): Locator {
    return this.page.getByRole('radio', { name: new RegExp(`^${escapeRegExp(tenantName)}\\b`) });
  }

  /** The label of a tenant's option: its name, then the person's roles in it. */
  optionLabel(tenantName: string): Locator {
    return this.page.locator('label.choice').filter({ has: this.option(tenantName) });
  }

  async choose(tenantName: string): Promise<void> {
    await this.option(tenantName).check();
    await this.continueButton.click();
  }
}
