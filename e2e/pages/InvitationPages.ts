// The pages of an invitation: the landing page a direct link leads to (/invitations/:id), the
// invitation prompt inside sign-in (accept / decline), the review of pending invitations at sign-in,
// the page after deciding (/invitations/:id/done), and the problem pages (withdrawn, used, someone else's…).
import { expect, type Locator, type Page } from '@playwright/test';

/** /invitations/:id — signed out: the tenant's name only; signed in: roles, inviter and who is signed in. */
export class InvitationLandingPage {
  readonly heading: Locator;
  readonly signInLink: Locator;
  readonly createAccountLink: Locator;
  readonly reviewLink: Locator;
  readonly notYouLink: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.signInLink = page.getByRole('link', { name: 'Sign in', exact: true });
    this.createAccountLink = page.getByRole('link', { name: 'Create an account', exact: true });
    this.reviewLink = page.getByRole('link', { name: 'Review the invitation', exact: true });
    this.notYouLink = page.getByRole('link', { name: 'Not you? Use another account', exact: true });
  }

  /** Opens a direct link, /tenants/invitation-tokens/{token}; a usable one moves on to the landing page. */
  async openLink(url: string): Promise<void> {
    await this.page.goto(url);
  }

  async expectShown(tenant: string): Promise<void> {
    await expect(this.page).toHaveURL(/\/invitations\/[0-9a-f-]{36}$/);
    await expect(this.heading).toHaveText(`You are invited to join ${tenant}`);
  }

  /** Nobody signed in: only the tenant's name, and the ways to sign in or register. */
  async expectSignedOutView(tenant: string): Promise<void> {
    await this.expectShown(tenant);
    await expect(
      this.page.getByText('Sign in, or create an account, to see the invitation and accept or decline it.'),
    ).toBeVisible();
    await expect(this.signInLink).toBeVisible();
    await expect(this.createAccountLink).toBeVisible();
    await expect(this.page.getByRole('main')).not.toContainText('Invited by');
    await expect(this.page.getByRole('main')).not.toContainText('Your roles');
  }

  /** Someone signed in: inviter, roles and the address, with "Review the invitation" and "Not you?". */
  async expectSignedInView(
    tenant: string,
    { inviter, roles, who }: { inviter: string; roles: string[]; who: string },
  ): Promise<void> {
    await this.expectShown(tenant);
    await expect(this.page.getByText(`Invited by ${inviter}.`)).toBeVisible();
    await expect(this.page.getByText('Your roles:')).toContainText(roles.join(', '));
    await expect(this.page.getByText('Signed in as')).toContainText(who);
    await expect(this.reviewLink).toBeVisible();
    await expect(this.notYouLink).toBeVisible();
  }
}

/** The invitation prompt of a sign-in (/interaction/:uid): "You are invited to join X", Join X / Decline. */
export class InvitationPrompt {
  readonly heading: Locator;
  readonly declineButton: Locator;
  readonly notYouLink: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.declineButton = page.getByRole('button', { name: 'Decline', exact: true });
    this.notYouLink = page.getByRole('link', { name: 'Not you? Use another account', exact: true });
  }

  joinButton(tenant: string): Locator {
    return this.page.getByRole('button', { name: `Join ${tenant}`, exact: true });
  }

  async expectShown(tenant: string, details?: { inviter: string; roles: string[]; who: string }): Promise<void> {
    await expect(this.page).toHaveURL(/\/interaction\/[\w-]+$/);
    await expect(this.heading).toHaveText(`You are invited to join ${tenant}`);
    await expect(this.joinButton(tenant)).toBeVisible();
    await expect(this.declineButton).toBeVisible();
    if (!details) return;
    await expect(this.page.getByText(`Invited by ${details.inviter}.`)).toBeVisible();
    await expect(this.page.getByText('Your roles:')).toContainText(details.roles.join(', '));
    await expect(this.page.getByText('Signed in as')).toContainText(details.who);
    await expect(this.notYouLink).toBeVisible();
  }

  async join(tenant: string): Promise<void> {
    await this.joinButton(tenant).click();
  }

  async decline(): Promise<void> {
    await this.declineButton.click();
  }
}

/** "You have invitations": the invitations bound to the account's confirmed e-mail, after consent. */
export class ReviewInvitationsPage {
  readonly heading: Locator;
  readonly items: Locator;
  readonly notice: Locator;
  readonly laterButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.items = page.locator('ul.invitations > li');
    this.notice = page.getByRole('status');
    this.laterButton = page.getByRole('button', { name: 'Decide later', exact: true });
  }

  async expectShown(who: string): Promise<void> {
    await expect(this.page).toHaveURL(/\/interaction\/[\w-]+(\/review)?$/); // /review after a decision
    await expect(this.heading).toHaveText('You have invitations');
    await expect(
      this.page.getByText(`These organisations invited ${who}. Join now, decline, or decide later.`),
    ).toBeVisible();
  }

  /** One tenant's entry: its name, who invited and as what, and its buttons. */
  item(tenant: string): Locator {
    return this.items.filter({ has: this.page.getByText(tenant, { exact: true }) });
  }

  async join(tenant: string): Promise<void> {
    await this.page.getByRole('button', { name: `Join ${tenant}`, exact: true }).click();
  }

  async decline(tenant: string): Promise<void> {
    await this.page.getByRole('button', { name: `Decline ${tenant}`, exact: true }).click();
  }
}

/** /invitations/:id/done: "You have joined X" or "You declined the invitation". */
export class InvitationDonePage {
  readonly heading: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
  }

  async expectJoined(tenant: string): Promise<void> {
    await expect(this.page).toHaveURL(/\/invitations\/[0-9a-f-]{36}\/done$/);
    await expect(this.heading).toHaveText(`You have joined ${tenant}`);
    await expect(this.page.getByText(`Welcome! You are now a member of ${tenant}.`)).toBeVisible();
  }

  async expectDeclined(tenant: string): Promise<void> {
    await expect(this.page).toHaveURL(/\/invitations\/[0-9a-f-]{36}\/done$/);
    await expect(this.heading).toHaveText('You declined the invitation');
    await expect(this.page.getByText(`You did not join ${tenant}. You can close this window.`)).toBeVisible();
  }
}

export const INVITATION_PROBLEMS = {
  revoked: {
    heading: 'This invitation was withdrawn',
    body: 'The organisation withdrew this invitation. Contact them if you think this is a mistake.',
  },
  usedUp: {
    heading: 'This invitation has been used',
    body: 'It cannot be used again. Ask the person who invited you for a new invitation.',
  },
  wrongAccount: {
    heading: 'This invitation is for someone else',
    body: 'It was sent to another e-mail address. Sign in with the account that uses that address (and has confirmed it), or ask for an invitation to your own address.',
  },
} as const;

/** Why an invitation cannot be used: its own heading and explanation; inside a sign-in, a way to go on without it. */
export class InvitationProblemPage {
  readonly heading: Locator;
  readonly useAnotherAccountLink: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.useAnotherAccountLink = page.getByRole('link', { name: 'Use another account', exact: true });
  }

  async expectShown(problem: keyof typeof INVITATION_PROBLEMS): Promise<void> {
    await expect(this.heading).toHaveText(INVITATION_PROBLEMS[problem].heading);
    await expect(this.page.getByText(INVITATION_PROBLEMS[problem].body)).toBeVisible();
  }

  /** Inside a sign-in: the button that goes on to the app without the invitation. */
  continueWithoutJoining(client: string): Locator {
    return this.page.getByRole('button', { name: `Continue to ${client} without joining`, exact: true });
  }
}
