// The development outbox at /dev/mail: finds the newest message for a recipient and the link in it.
import { expect, type Locator, type Page } from '@playwright/test';

export const SUBJECTS = {
  verifyEmail: 'Confirm your e-mail address',
  passwordReset: 'Reset your password',
  signInCode: 'Your sign-in code',
  alreadyRegistered: 'You already have an account',
} as const;

/** The subject of an invitation mail. */
export const invitationSubject = (inviter: string, tenant: string) => `${inviter} invited you to join ${tenant}`;

export class MailPage {
  readonly heading: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
  }

  async open(): Promise<void> {
    await this.page.goto('/dev/mail');
    await expect(this.heading).toHaveText('Outbox (development only)');
  }

  /**
   * Opens the newest message to `recipient` with `subject` (the list is newest first) and returns
   * the first link in it whose path is `path` (or matches it), as an absolute URL.
   */
  async newestLink(recipient: string, subject: string, path: string | RegExp): Promise<string> {
    await this.openNewest(recipient, subject);
    const hrefs = await this.page
      .locator('a.mail-link')
      .evaluateAll((links) => links.map((a) => (a as unknown as { href: string }).href));
    const pathname = (href: string) => new URL(href).pathname;
    const link = hrefs.find((href) => (typeof path === 'string' ? pathname(href) === path : path.test(pathname(href))));
    expect(link, `no ${path} link in "${subject}" to ${recipient}; links: ${hrefs.join(', ')}`).toBeDefined();
    return link!;
  }

  /** Opens the newest message to `recipient` with `subject` and returns its text. */
  async newestText(recipient: string, subject: string): Promise<string> {
    await this.openNewest(recipient, subject);
    return this.page.locator('#mail-body').innerText();
  }

  private async openNewest(recipient: string, subject: string): Promise<void> {
    await this.open();
    const row = this.page
      .getByRole('row')
      .filter({ has: this.page.getByRole('cell', { name: recipient, exact: true }) })
      .filter({ has: this.page.getByRole('link', { name: subject, exact: true }) })
      .first();
    await expect(row, `no mail "${subject}" to ${recipient} in the outbox`).toBeVisible();
    await row.getByRole('link', { name: subject, exact: true }).click();
    await expect(this.page).toHaveURL(/\/dev\/mail\/[0-9a-f-]{36}$/);
    await expect(this.page.getByRole('cell', { name: recipient, exact: true })).toBeVisible();
  }

  /** How many messages the outbox holds for `recipient` with `subject`. */
  async count(recipient: string, subject: string): Promise<number> {
    await this.open();
    return this.page
      .getByRole('row')
      .filter({ has: this.page.getByRole('cell', { name: recipient, exact: true }) })
      .filter({ has: this.page.getByRole('link', { name: subject, exact: true }) })
      .count();
  }
}
