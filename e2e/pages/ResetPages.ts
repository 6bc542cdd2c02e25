// Password reset and e-mail verification pages reached from mail links, plus "link no longer valid".
import { expect, type Locator, type Page } from '@playwright/test';

export class ResetPages {
  readonly heading: Locator;
  readonly email: Locator;
  readonly sendLink: Locator;
  readonly newPassword: Locator;
  readonly save: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.email = page.getByLabel('E-mail address', { exact: true });
    this.sendLink = page.getByRole('button', { name: 'Send the link' });
    this.newPassword = page.getByLabel('New password', { exact: true });
    this.save = page.getByRole('button', { name: 'Save the new password' });
    this.error = page.getByRole('alert');
  }

  async expectRequestShown(): Promise<void> {
    await expect(this.page).toHaveURL(/\/reset-password(\?return=\/interaction\/[\w-]+)?$/);
    await expect(this.heading).toHaveText('Reset your password');
  }

  async request(email: string): Promise<void> {
    await this.email.fill(email);
    await this.sendLink.click();
    await expect(this.heading).toHaveText('Check your inbox');
    await expect(
      this.page.getByText(`If an account signs in with ${email}, a link to choose a new password is on its way.`),
    ).toBeVisible();
  }

  async expectNewPasswordShown(): Promise<void> {
    await expect(this.heading).toHaveText('Choose a new password');
  }

  /** `name`: asked when the address was never confirmed (the registered name may not be the owner's). */
  async choose(password: string, name?: string): Promise<void> {
    if (name !== undefined) await this.page.getByLabel('Your name', { exact: true }).fill(name);
    await this.newPassword.fill(password);
    await this.save.click();
  }

  async expectDone(): Promise<void> {
    await expect(this.heading).toHaveText('Your password is changed');
  }

  async expectLinkInvalid(): Promise<void> {
    await expect(this.heading).toHaveText('This link is no longer valid');
    await expect(this.page.getByRole('link', { name: 'Request a new password reset link' })).toBeVisible();
  }
}

export class VerifyEmailPages {
  readonly heading: Locator;
  readonly confirmButton: Locator;
  /** Asked when the link is opened outside the browser that registered. */
  readonly password: Locator;
  readonly chooseOwnPassword: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.confirmButton = page.getByRole('button', { name: 'Confirm my address' });
    this.password = page.getByLabel('Password', { exact: true });
    this.chooseOwnPassword = page.getByRole('button', { name: 'Choose my own password' });
    this.error = page.getByRole('alert');
  }

  async expectConfirmShown(): Promise<void> {
    await expect(this.heading).toHaveText('Confirm your e-mail address');
  }

  async confirm(): Promise<void> {
    await this.confirmButton.click();
    await expect(this.heading).toHaveText('Your e-mail address is confirmed');
  }
}
