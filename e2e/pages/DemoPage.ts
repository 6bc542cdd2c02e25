// The built-in relying party at /demo, and the sign-out pages (RP-initiated logout) it leads to.
import { expect, type Locator, type Page } from '@playwright/test';

export class DemoPage {
  readonly heading: Locator;
  readonly signInLink: Locator;
  readonly signOutLink: Locator;
  readonly switchTenantLink: Locator;
  readonly signedInStatus: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.signInLink = page.getByRole('link', { name: 'Sign in with Tessera' });
    this.signOutLink = page.getByRole('link', { name: 'Sign out' });
    this.switchTenantLink = page.getByRole('link', { name: 'Switch organisation' });
    this.signedInStatus = page.getByRole('status');
  }

  async open(): Promise<void> {
    await this.page.goto('/demo');
    await expect(this.heading).toHaveText('Tessera demo app');
  }

  async startSignIn(): Promise<void> {
    await this.signInLink.click();
  }

  async expectSignedIn(): Promise<void> {
    await expect(this.page).toHaveURL(/\/demo\/callback\?/);
    await expect(this.signedInStatus).toHaveText('You are signed in. This is what the app received:');
  }

  async idTokenClaims(): Promise<Record<string, unknown>> {
    return JSON.parse(await this.page.locator('#id-token-claims').innerText()) as Record<string, unknown>;
  }

  async userinfo(): Promise<Record<string, unknown>> {
    return JSON.parse(await this.page.locator('#userinfo').innerText()) as Record<string, unknown>;
  }

  async accessToken(): Promise<string> {
    return (await this.page.locator('#access-token').innerText()).trim();
  }
}

/** "Sign out?" (the provider's logout confirmation) and "You are signed out". */
export class LogoutPages {
  readonly heading: Locator;
  readonly confirmButton: Locator;
  readonly stayButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.confirmButton = page.getByRole('button', { name: 'Sign out', exact: true });
    this.stayButton = page.getByRole('button', { name: 'Stay signed in' });
  }

  async expectConfirmShown(client?: string): Promise<void> {
    await expect(this.heading).toHaveText('Sign out?');
    await expect(
      this.page.getByText(
        client ? `${client} asked to sign you out of Tessera.` : 'Do you want to sign out of Tessera?',
      ),
    ).toBeVisible();
  }

  async confirm(): Promise<void> {
    await this.confirmButton.click();
  }

  async expectSignedOutShown(): Promise<void> {
    await expect(this.heading).toHaveText('You are signed out');
  }
}
