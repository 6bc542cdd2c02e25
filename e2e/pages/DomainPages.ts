// Joining by domain: the sign-in page that offers the tenant of the person's e-mail domain (join, ask to
// join, "No, thanks"), its "request sent" and outcome pages, and the domains section of the tenant admin
// page (domains with their DNS record and join policy, the requests to join with Approve / Decline).
import { expect, type Locator, type Page } from '@playwright/test';

export class DomainJoinPage {
  readonly heading: Locator;
  readonly skipButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.skipButton = page.getByRole('button', { name: 'No, thanks', exact: true });
  }

  async expectSuggestion(tenant: string, email: string, domain: string): Promise<void> {
    await expect(this.page).toHaveURL(/\/interaction\/[\w-]+$/);
    await expect(this.heading).toHaveText(`Join ${tenant}?`);
    await expect(
      this.page.getByText(`Your address ${email} is at ${domain}, a domain that belongs to ${tenant}.`),
    ).toBeVisible();
  }

  async expectRequestOffer(tenant: string): Promise<void> {
    await expect(this.heading).toHaveText(`Ask to join ${tenant}?`);
  }

  joinButton(tenant: string): Locator {
    return this.page.getByRole('button', { name: `Join ${tenant}`, exact: true });
  }

  askButton(tenant: string): Locator {
    return this.page.getByRole('button', { name: `Ask to join ${tenant}`, exact: true });
  }

  async expectRequestSent(): Promise<void> {
    await expect(this.heading).toHaveText('Your request is sent');
  }

  async expectApproved(tenant: string): Promise<void> {
    await expect(this.heading).toHaveText(`You have joined ${tenant}`);
  }

  async continueTo(client = 'Tessera demo app'): Promise<void> {
    await this.page.getByRole('button', { name: `Continue to ${client}`, exact: true }).click();
  }
}

/** The domains and requests-to-join parts of the tenant admin page. */
export class DomainSection {
  readonly newDomain: Locator;
  readonly newPolicy: Locator;
  readonly addButton: Locator;
  readonly domains: Locator;
  readonly requests: Locator;

  constructor(readonly page: Page) {
    this.newDomain = page.getByLabel('Domain', { exact: true });
    this.newPolicy = page.getByRole('form', { name: 'Add domain' }).getByLabel('Join policy', { exact: true });
    this.addButton = page.getByRole('button', { name: 'Add domain', exact: true });
    this.domains = page.locator('ul.domains:not(.join-requests) > li');
    this.requests = page.locator('ul.join-requests > li');
  }

  async addDomain(domain: string, policyLabel: string): Promise<void> {
    await this.newDomain.fill(domain);
    await this.newPolicy.selectOption({ label: policyLabel });
    await this.addButton.click();
  }

  domainRow(domain: string): Locator {
    return this.domains.filter({ hasText: domain });
  }

  policyOf(domain: string): Locator {
    return this.page.getByLabel(`Join policy of ${domain}`, { exact: true });
  }

  requestOf(email: string): Locator {
    return this.requests.filter({ hasText: email });
  }

  approveButton(who: string): Locator {
    return this.page.getByRole('form', { name: `Approve the request of ${who}` }).getByRole('button');
  }
}

/** A verified domain's sign-in form on the tenant admin page: the connection that signs its people in, and passwords. */
export class DomainSignInForm {
  readonly form: Locator;

  constructor(
    readonly page: Page,
    readonly domain: string,
  ) {
    this.form = page.getByRole('form', { name: `How people of ${domain} sign in` });
  }

  async route(connection: string, password: 'Allowed' | 'Off: only through the connection'): Promise<void> {
    await this.form.getByLabel(`${this.domain} signs in through`).selectOption({ label: connection });
    await this.form.getByLabel(`Password sign-in for ${this.domain}`).selectOption({ label: password });
    await this.form.getByRole('button', { name: 'Save sign-in' }).click();
  }
}
