// The second-factor pages of a sign-in (/interaction/:uid: the code, passkey or recovery code step; setting
// up an authenticator app; the recovery codes shown once) and the account page's second-factor sections.
import { expect, type Locator, type Page } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';

/** The code an authenticator app holding `secret` shows, `steps` periods of 30 s from now. */
export function totpCode(secret: string, steps = 0): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret.replace(/\s/g, '')),
    timestamp: Date.now() + steps * 30_000,
  });
}

/** "Confirm it is you": after the password, or when an organisation or app requires a second factor. */
export class SecondFactorPage {
  readonly heading: Locator;
  readonly code: Locator;
  readonly verify: Locator;
  readonly useRecovery: Locator;
  readonly recoveryCode: Locator;
  readonly usePasskey: Locator;
  readonly setUpApp: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.code = page.getByLabel('Code from your authenticator app');
    this.verify = page.getByRole('button', { name: 'Verify' });
    this.useRecovery = page.getByText('Use a recovery code instead');
    this.recoveryCode = page.getByLabel('Recovery code');
    this.usePasskey = page.getByRole('button', { name: 'Use a passkey' });
    this.setUpApp = page.getByRole('button', { name: 'Set up an authenticator app' });
    this.error = page.getByRole('alert');
  }

  async expectShown(): Promise<void> {
    await expect(this.page).toHaveURL(/\/interaction\/[\w-]+(\/second-factor\/\w+)?$/);
    await expect(this.heading).toHaveText('Confirm it is you');
  }

  async enterCode(code: string): Promise<void> {
    await this.code.fill(code);
    await this.verify.click();
  }

  async enterRecoveryCode(code: string): Promise<void> {
    await this.useRecovery.click();
    await this.recoveryCode.fill(code);
    await this.page.locator('details.recovery').getByRole('button', { name: 'Verify' }).click();
  }
}

/** Setting up an authenticator app: a QR code, the same key to type, and the first code. */
export class TotpSetup {
  readonly qr: Locator;
  readonly secret: Locator;
  readonly code: Locator;
  readonly confirm: Locator;

  constructor(readonly page: Page) {
    this.qr = page.getByRole('img', { name: 'QR code holding the key for your authenticator app' });
    this.secret = page.locator('#totp-secret');
    this.code = page.getByLabel('Six-digit code');
    this.confirm = page.getByRole('button', { name: 'Confirm' });
  }

  /** Reads the key as a person would type it into the app, and confirms with the app's current code. */
  async completeWithApp(): Promise<string> {
    await expect(this.qr).toBeVisible();
    const secret = (await this.secret.innerText()).trim();
    await this.code.fill(totpCode(secret));
    await this.confirm.click();
    return secret;
  }
}

/** The recovery codes, shown once. */
export class RecoveryCodesList {
  readonly codes: Locator;
  readonly continueButton: Locator;

  constructor(readonly page: Page) {
    this.codes = page.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem');
    this.continueButton = page.getByRole('button', { name: /^I saved them, continue to / });
  }

  async read(): Promise<string[]> {
    await expect(this.codes).toHaveCount(10);
    return (await this.codes.allInnerTexts()).map((c) => c.trim());
  }
}

/** /account's second-factor sections: passkeys, the authenticator app, recovery codes. */
export class AccountFactors {
  readonly heading: Locator;
  readonly notice: Locator;
  readonly passkeyName: Locator;
  readonly addPasskey: Locator;
  readonly passkeys: Locator;
  readonly setUpApp: Locator;
  readonly appIsOn: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.notice = page.getByRole('status').first();
    this.passkeyName = page.getByLabel('Name for this passkey (optional)');
    this.addPasskey = page.getByRole('button', { name: 'Add a passkey' });
    this.passkeys = page.locator('ul.factor-list li');
    this.setUpApp = page.getByRole('button', { name: 'Set up an authenticator app' });
    this.appIsOn = page.getByText('An authenticator app is set up.');
  }

  async open(): Promise<void> {
    await this.page.goto('/account');
  }

  async expectShown(): Promise<void> {
    await expect(this.page).toHaveURL(/\/account(\?.*|\/[\w/-]+)?$/);
    await expect(this.heading).toHaveText('Your account');
  }
}
