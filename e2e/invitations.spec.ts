// Invitations: a direct link (landing page → sign in or register → accept or decline), an app's
// sign-in carrying `invitation=`, the review of pending invitations at sign-in, the pages for links
// that cannot be used, and the invitations section of the tenant admin page.
// Invitations that the tests only use are seeded (e2e/seed-data.ts, SEED_INVITATIONS); the admin
// page's own tests issue theirs on the page. Everyone else in a test gets a browser of their own.
import type { Page } from '@playwright/test';
import { expect, expectAccessibleBasics, screenshot, testWithBrowsers } from './fixtures.js';
import { confirmEmailFromOutbox, newPerson, registeredAndVerified, signInThroughDemo } from './flows.js';
import { ConsentPage } from './pages/ConsentPage.js';
import { DemoPage } from './pages/DemoPage.js';
import {
  InvitationDonePage,
  InvitationLandingPage,
  InvitationProblemPage,
  InvitationPrompt,
  ReviewInvitationsPage,
} from './pages/InvitationPages.js';
import { LoginPage } from './pages/LoginPage.js';
import { invitationSubject, MailPage, SUBJECTS } from './pages/MailPage.js';
import { CheckInboxPage, RegisterPage } from './pages/RegisterPage.js';
import { TenantAdminPage } from './pages/TenantAdminPage.js';
import { seeded, type SeededPerson, type SeededTenant } from './seed-data.js';

const test = testWithBrowsers;

const INVITATION_LINK = /^\/tenants\/invitation-tokens\/[\w-]+\.[\w-]+\.[\w-]+$/;

/** Opens the tenant admin page without a session: Tessera's sign-in page comes first, then the page. */
async function openAdminPageSigningIn(
  page: Page,
  tenant: SeededTenant,
  person: SeededPerson,
): Promise<TenantAdminPage> {
  const admin = new TenantAdminPage(page);
  await admin.open(tenant.id);
  const login = new LoginPage(page);
  await login.expectShown('Tessera');
  await login.signIn(person.email, person.password);
  await admin.expectShown(tenant);
  return admin;
}

/** Signed out: opens the link, signs in from the landing page, and stops at the invitation prompt. */
async function signInThroughLink(
  page: Page,
  url: string,
  tenant: string,
  person: SeededPerson,
): Promise<InvitationPrompt> {
  const landing = new InvitationLandingPage(page);
  await landing.openLink(url);
  await landing.expectSignedOutView(tenant);
  await landing.signInLink.click();
  const login = new LoginPage(page);
  await login.expectShown('Tessera');
  await login.signIn(person.email, person.password);
  const prompt = new InvitationPrompt(page);
  await prompt.expectShown(tenant);
  return prompt;
}

test.describe('Joining through an invitation link', () => {
  test('a newcomer opens a link that was e-mailed to them, creates an account (the address counts as confirmed), joins, and is a member', async ({
    page,
    anotherBrowser,
  }) => {
    const { people, tenants } = seeded();
    const ivy = people.inviter;
    const newcomer = newPerson('Nina');
    let admin: TenantAdminPage;

    await test.step('the admin of Initech invites the address on the admin page, and Tessera e-mails the link', async () => {
      admin = await openAdminPageSigningIn(page, tenants.initech, ivy);
      await expect(admin.inviteRole('tenant-user')).toBeChecked(); // the default
      await admin.createInvitation({ email: newcomer.email });
      await admin.expectNotice(`The invitation was e-mailed to ${newcomer.email}.`);
      await expect(admin.issuedLink).toHaveCount(0); // nobody but the addressee sees a mailed link
      const row = admin.invitationFor(newcomer.email);
      await expect(admin.invitationStatus(row)).toHaveText('pending');
      await expect(row).toContainText('(0 of 1 used)');
      await expect(admin.revokeButton(row)).toBeVisible();
      await expectAccessibleBasics(page);
      await screenshot(page, '60-invitation-admin-mailed');
    });

    const newcomerPage = await anotherBrowser();
    const landing = new InvitationLandingPage(newcomerPage);

    await test.step('the newcomer finds the mail in the outbox and opens its link: the landing page shows only the organisation', async () => {
      const mail = new MailPage(newcomerPage);
      const link = await mail.newestLink(newcomer.email, invitationSubject(ivy.name, 'Initech'), INVITATION_LINK);
      await expect(newcomerPage.locator('#mail-body')).toContainText(`${ivy.name} invited you to join Initech.`);
      await screenshot(newcomerPage, '61-invitation-mail');
      await landing.openLink(link);
      await landing.expectSignedOutView('Initech');
      await expectAccessibleBasics(newcomerPage);
      await screenshot(newcomerPage, '62-invitation-landing-signed-out');
    });

    await test.step('"Create an account" opens the registration form with the invited address filled in', async () => {
      await landing.createAccountLink.click();
      const register = new RegisterPage(newcomerPage);
      await register.expectShown('Tessera', { opensDirectly: true });
      await expect(newcomerPage.getByRole('status')).toHaveText('Create an account to join Initech.');
      await expect(register.email).toHaveValue(newcomer.email);
      await expectAccessibleBasics(newcomerPage);
      await screenshot(newcomerPage, '63-invitation-register');
      await register.register(newcomer);
    });

    const prompt = new InvitationPrompt(newcomerPage);
    await test.step('registering signs the newcomer in at once, with no confirmation mail, and shows the invitation in full', async () => {
      await prompt.expectShown('Initech', { inviter: ivy.name, roles: ['tenant-user'], who: newcomer.email });
      await expectAccessibleBasics(newcomerPage);
      await screenshot(newcomerPage, '64-invitation-prompt');
      const inbox = await newcomerPage.context().newPage();
      expect(await new MailPage(inbox).count(newcomer.email, SUBJECTS.verifyEmail)).toBe(0);
      await inbox.close();
    });

    await test.step('"Join Initech" ends on "You have joined Initech"', async () => {
      await prompt.join('Initech');
      await new InvitationDonePage(newcomerPage).expectJoined('Initech');
      await expectAccessibleBasics(newcomerPage);
      await screenshot(newcomerPage, '65-invitation-joined');
    });

    await test.step('the demo app, without another password, receives the confirmed address and Initech as the active tenant', async () => {
      const demo = new DemoPage(newcomerPage);
      await demo.open();
      await demo.startSignIn();
      const consent = new ConsentPage(newcomerPage);
      await consent.expectShown();
      await consent.allow();
      await demo.expectSignedIn();
      const claims = await demo.idTokenClaims();
      expect(claims).toMatchObject({ email: newcomer.email, email_verified: true, name: newcomer.name });
      expect(claims.active_tenant).toEqual({
        tenant_id: tenants.initech.id,
        tenant_name: 'Initech',
        roles: ['tenant-user'],
      });
    });

    await test.step('on the admin page the newcomer is a member and the invitation is accepted', async () => {
      await admin.open(tenants.initech.id);
      await expect(admin.members.filter({ hasText: newcomer.email })).toContainText(newcomer.name);
      expect(await admin.rolesTicked(newcomer.name)).toEqual(['tenant-user']);
      const row = admin.invitationFor(newcomer.email);
      await expect(admin.invitationStatus(row)).toHaveText('accepted');
      await expect(row).toContainText('(1 of 1 used)');
      await expect(admin.revokeButton(row)).toHaveCount(0);
    });
  });

  test('a newcomer who registers through a copied link confirms the e-mail first, then signs in and joins', async ({
    page,
    context,
  }) => {
    const { invitations } = seeded();
    const newcomer = newPerson('Omar');
    const landing = new InvitationLandingPage(page);

    await test.step('registering through a link an admin copied does not confirm the address: "Check your inbox"', async () => {
      await landing.openLink(invitations.copiedToNewcomer.url);
      await landing.expectSignedOutView('Umbrella');
      await landing.createAccountLink.click();
      const register = new RegisterPage(page);
      await register.expectShown('Tessera', { opensDirectly: true });
      await expect(register.email).toHaveValue(''); // an open link names nobody
      await register.register(newcomer);
      await new CheckInboxPage(page).expectShown(newcomer.email);
    });

    await test.step('after confirming from the outbox, "Continue to sign in" leads to the sign-in page and on to the invitation; the newcomer joins', async () => {
      await confirmEmailFromOutbox(context, newcomer.email);
      await new CheckInboxPage(page).continueToSignIn.click();
      const login = new LoginPage(page);
      await login.expectShown('Tessera');
      await expect(page.getByRole('status')).toHaveText('Sign in to see your invitation to Umbrella.');
      await login.signIn(newcomer.email, newcomer.password);
      const prompt = new InvitationPrompt(page);
      await prompt.expectShown('Umbrella', {
        inviter: seeded().people.inviter.name,
        roles: ['tenant-user'],
        who: newcomer.email,
      });
      await prompt.join('Umbrella');
      await new InvitationDonePage(page).expectJoined('Umbrella');
    });
  });

  test('an existing account opens a link, signs in on the way, sees who invited and as what, and declines; the link stays open for others', async ({
    page,
    anotherBrowser,
  }) => {
    const { people, invitations } = seeded();
    const dana = people.decliner;
    const landing = new InvitationLandingPage(page);

    await test.step('"Sign in" on the landing page leads to the sign-in page, which names the organisation', async () => {
      await landing.openLink(invitations.toDecline.url);
      await landing.expectSignedOutView('Umbrella');
      await landing.signInLink.click();
      const login = new LoginPage(page);
      await login.expectShown('Tessera');
      await expect(page.getByRole('status')).toHaveText('Sign in to see your invitation to Umbrella.');
      await expectAccessibleBasics(page);
      await screenshot(page, '66-invitation-sign-in');
      await login.signIn(dana.email, dana.password);
    });

    await test.step('after the password, the invitation shows the inviter, the roles and who is signed in; Dana declines', async () => {
      const prompt = new InvitationPrompt(page);
      await prompt.expectShown('Umbrella', { inviter: people.inviter.name, roles: ['tenant-user'], who: dana.email });
      await prompt.decline();
      await new InvitationDonePage(page).expectDeclined('Umbrella');
      await expectAccessibleBasics(page);
      await screenshot(page, '67-invitation-declined');
    });

    await test.step('the link was not bound to Dana, so it still opens for someone else', async () => {
      const other = new InvitationLandingPage(await anotherBrowser());
      await other.openLink(invitations.toDecline.url);
      await other.expectSignedOutView('Umbrella');
    });
  });

  test('a link for two people is used by two, and the third finds "This invitation has been used"', async ({
    anotherBrowser,
  }) => {
    const { people, invitations } = seeded();
    const { url } = invitations.sharedByTwo;

    await test.step(`${people.sharedFirst.name} signs in through the link and joins Umbrella`, async () => {
      const page = await anotherBrowser();
      const prompt = await signInThroughLink(page, url, 'Umbrella', people.sharedFirst);
      await prompt.join('Umbrella');
      await new InvitationDonePage(page).expectJoined('Umbrella');
    });

    await test.step(`${people.sharedSecond.name}, already signed in, sees the whole invitation on the landing page and joins without a password`, async () => {
      const page = await anotherBrowser();
      await signInThroughDemo(page, people.sharedSecond);
      const landing = new InvitationLandingPage(page);
      await landing.openLink(url);
      await landing.expectSignedInView('Umbrella', {
        inviter: people.inviter.name,
        roles: ['tenant-user'],
        who: people.sharedSecond.email,
      });
      await expectAccessibleBasics(page);
      await screenshot(page, '69-invitation-landing-signed-in');
      await landing.reviewLink.click();
      const prompt = new InvitationPrompt(page);
      await prompt.expectShown('Umbrella', {
        inviter: people.inviter.name,
        roles: ['tenant-user'],
        who: people.sharedSecond.email,
      });
      await prompt.join('Umbrella');
      await new InvitationDonePage(page).expectJoined('Umbrella');
    });

    await test.step(`${people.sharedThird.name} opens the link and is told it has been used, before any sign-in`, async () => {
      const page = await anotherBrowser();
      const response = await page.goto(url);
      expect(response?.status()).toBe(410);
      await expect(page).toHaveURL(url);
      await new InvitationProblemPage(page).expectShown('usedUp');
      await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toHaveCount(0);
      await expectAccessibleBasics(page);
      await screenshot(page, '68-invitation-used');
    });
  });

  test('a bound invitation opened with another account shows "This invitation is for someone else" with "Use another account"; the invitation stays for the right person', async ({
    page,
    anotherBrowser,
  }) => {
    const { people, invitations } = seeded();
    const walt = people.wrongAccount;
    const rita = people.boundInvitee;
    const problem = new InvitationProblemPage(page);

    await test.step('Walt opens the link meant for Rita and signs in with his own account: it is refused (403) with a way to switch', async () => {
      const landing = new InvitationLandingPage(page);
      await landing.openLink(invitations.boundToRita.url);
      await landing.expectSignedOutView('Umbrella');
      await landing.signInLink.click();
      const login = new LoginPage(page);
      await login.expectShown('Tessera');
      await expect(login.email).toHaveValue(rita.email); // the bound address is suggested
      const [response] = await Promise.all([
        page.waitForResponse(
          (r) => r.request().method() === 'GET' && /^\/interaction\/[\w-]+$/.test(new URL(r.url()).pathname),
        ),
        login.signIn(walt.email, walt.password),
      ]);
      expect(response.status()).toBe(403);
      await problem.expectShown('wrongAccount');
      await expect(page.getByText('Signed in as')).toContainText(walt.email);
      await expect(problem.useAnotherAccountLink).toBeVisible();
      await expect(problem.continueWithoutJoining('Tessera')).toBeVisible();
      await expect(page.getByRole('main')).not.toContainText('Invited by'); // nothing of the invitation itself
      await expectAccessibleBasics(page);
      await screenshot(page, '70-invitation-wrong-account');
    });

    await test.step('"Use another account" asks to sign in again, with Rita\'s address filled in', async () => {
      await problem.useAnotherAccountLink.click();
      const login = new LoginPage(page);
      await login.expectShown('Tessera');
      await expect(login.email).toHaveValue(rita.email);
      await expect(login.password).toHaveValue('');
      await expect(page.getByRole('status')).toHaveText('Sign in to see your invitation to Umbrella.');
    });

    await test.step("Walt's attempt used nothing up: Rita, in her own browser, signs in through the link and joins", async () => {
      const ritaPage = await anotherBrowser();
      const prompt = await signInThroughLink(ritaPage, invitations.boundToRita.url, 'Umbrella', rita);
      await expect(ritaPage.getByText('Signed in as')).toContainText(rita.email);
      await prompt.join('Umbrella');
      await new InvitationDonePage(ritaPage).expectJoined('Umbrella');
    });
  });

  test('after "Use another account" on "This invitation is for someone else", the right person signs in and joins', async ({
    page,
  }) => {
    // Switching account mid-sign-in logs the first account out; the sign-in under way must survive that.
    const { people, invitations } = seeded();
    const walt = people.wrongAccount;
    const sam = people.switchTarget;
    const login = new LoginPage(page);
    const landing = new InvitationLandingPage(page);
    await landing.openLink(invitations.boundToSam.url);
    await landing.signInLink.click();
    await login.signIn(walt.email, walt.password);
    const problem = new InvitationProblemPage(page);
    await problem.expectShown('wrongAccount');
    await problem.useAnotherAccountLink.click();
    await login.expectShown('Tessera');
    await login.signIn(sam.email, sam.password);
    const prompt = new InvitationPrompt(page);
    await prompt.expectShown('Umbrella', { inviter: people.inviter.name, roles: ['tenant-user'], who: sam.email });
    await prompt.join('Umbrella');
    await new InvitationDonePage(page).expectJoined('Umbrella');
  });

  test('a bound invitation opened while signed in with another account says so, shows who is signed in, and offers "Use another account"', async ({
    page,
  }) => {
    const { people, invitations } = seeded();
    const walt = people.wrongAccount;
    await signInThroughDemo(page, walt);
    const response = await page.goto(invitations.ritaToHooli.url);
    expect(response?.status()).toBe(403);
    const problem = new InvitationProblemPage(page);
    await problem.expectShown('wrongAccount');
    await expectAccessibleBasics(page);
    await screenshot(page, '78-invitation-wrong-account-signed-in');
    await expect(page.getByText('Signed in as')).toContainText(walt.email);
    await expect(problem.useAnotherAccountLink).toBeVisible();
  });
});

test.describe("Invitations in an app's sign-in", () => {
  test('the demo app passes invitation=: after sign-in and consent the person joins, and the app receives the new tenant as active_tenant', async ({
    page,
  }) => {
    const { people, tenants, invitations } = seeded();
    const jo = people.appJoiner;
    const demo = new DemoPage(page);

    await test.step('the sign-in page says an invitation to Umbrella waits', async () => {
      await page.goto(`/demo/login?invitation=${invitations.throughApp.token}`);
      const login = new LoginPage(page);
      await login.expectShown();
      await expect(page.getByRole('status')).toHaveText('Sign in to see your invitation to Umbrella.');
      await login.signIn(jo.email, jo.password);
    });

    await test.step('after consent comes the invitation; Jo joins Umbrella', async () => {
      const consent = new ConsentPage(page);
      await consent.expectShown();
      await consent.allow();
      const prompt = new InvitationPrompt(page);
      await prompt.expectShown('Umbrella', { inviter: people.inviter.name, roles: ['tenant-user'], who: jo.email });
      await prompt.join('Umbrella');
    });

    await test.step('the demo app receives Umbrella as the active tenant', async () => {
      await demo.expectSignedIn();
      await expectAccessibleBasics(page);
      await screenshot(page, '71-invitation-demo-joined');
      const claims = await demo.idTokenClaims();
      expect(claims.active_tenant).toEqual({
        tenant_id: tenants.umbrella.id,
        tenant_name: 'Umbrella',
        roles: ['tenant-user'],
      });
      expect(claims.all_tenants).toEqual([
        { tenant_id: tenants.umbrella.id, tenant_name: 'Umbrella', roles: ['tenant-user'] },
      ]);
    });
  });

  test('invitations to a confirmed address are reviewed at sign-in: Pat joins one, declines the other, and the app receives the joined tenant', async ({
    page,
  }) => {
    const { people, tenants } = seeded();
    const pat = people.pendingInvitee;
    const demo = new DemoPage(page);
    const review = new ReviewInvitationsPage(page);

    await test.step('after sign-in and consent, both invitations are listed with who invited and as what', async () => {
      await demo.open();
      await demo.startSignIn();
      await new LoginPage(page).signIn(pat.email, pat.password);
      await new ConsentPage(page).allow();
      await review.expectShown(pat.email);
      await expect(review.items).toHaveCount(2);
      await expect(review.item('Umbrella')).toContainText(`invited by ${people.inviter.name}, as tenant-user`);
      await expect(review.item('Hooli')).toContainText(`invited by ${people.inviter.name}, as tenant-admin`);
      await expect(review.laterButton).toBeVisible();
      await expectAccessibleBasics(page);
      await screenshot(page, '72-review-invitations');
    });

    await test.step('"Join Hooli" says so and leaves Umbrella to decide', async () => {
      await review.join('Hooli');
      await review.expectShown(pat.email);
      await expect(review.notice).toHaveText('You joined Hooli.');
      await expect(review.items).toHaveCount(1);
      await expect(review.item('Umbrella')).toBeVisible();
      await expectAccessibleBasics(page);
      await screenshot(page, '73-review-invitations-joined-one');
    });

    await test.step('"Decline Umbrella" ends the review, and the demo app receives Hooli as the active tenant', async () => {
      await review.decline('Umbrella');
      await demo.expectSignedIn();
      const claims = await demo.idTokenClaims();
      expect(claims.active_tenant).toEqual({
        tenant_id: tenants.hooli.id,
        tenant_name: 'Hooli',
        roles: ['tenant-admin'],
      });
      expect(claims.all_tenants).toEqual([
        { tenant_id: tenants.hooli.id, tenant_name: 'Hooli', roles: ['tenant-admin'] },
      ]);
    });

    await test.step('signing in again asks nothing more: both invitations are decided', async () => {
      await demo.open();
      await demo.startSignIn();
      await demo.expectSignedIn();
    });
  });
});

test.describe('Invitations that cannot be used', () => {
  test('a revoked link shows "This invitation was withdrawn"; inside an app\'s sign-in the person can go on without joining', async ({
    page,
    anotherBrowser,
  }) => {
    const { invitations } = seeded();
    const { url, token } = invitations.revoked;

    await test.step('the direct link shows the page at once (410), with nothing to sign in to', async () => {
      const visitor = await anotherBrowser();
      const response = await visitor.goto(url);
      expect(response?.status()).toBe(410);
      const problem = new InvitationProblemPage(visitor);
      await problem.expectShown('revoked');
      await expect(visitor.getByRole('link', { name: 'Sign in', exact: true })).toHaveCount(0);
      await expectAccessibleBasics(visitor);
      await screenshot(visitor, '74-invitation-withdrawn');
    });

    await test.step('through the demo app, the same page comes after consent, and "Continue … without joining" signs in without a tenant', async () => {
      const person = await registeredAndVerified(page, 'Ruth');
      await page.goto(`/demo/login?invitation=${token}`);
      const login = new LoginPage(page);
      await login.expectShown();
      await expect(page.getByRole('status')).toHaveCount(0); // no invitation to name
      await login.signIn(person.email, person.password);
      await new ConsentPage(page).allow();
      const problem = new InvitationProblemPage(page);
      await problem.expectShown('revoked');
      await expect(page.getByText('Signed in as')).toContainText(person.email);
      await expect(problem.useAnotherAccountLink).toHaveCount(0);
      await expectAccessibleBasics(page);
      await screenshot(page, '75-invitation-withdrawn-in-sign-in');
      await problem.continueWithoutJoining('Tessera demo app').click();
      const demo = new DemoPage(page);
      await demo.expectSignedIn();
      const claims = await demo.idTokenClaims();
      expect(claims.all_tenants).toEqual([]);
      expect(claims).not.toHaveProperty('active_tenant');
    });
  });
});

test.describe('Invitations on the tenant admin page', () => {
  test('the admin issues a link, which is shown only once, then revokes it; the link then shows the withdrawn page', async ({
    page,
    anotherBrowser,
  }) => {
    test.slow(); // the accessibility check walks every control of the admin page, on a machine shared with other runs
    const { people, tenants } = seeded();
    let link = '';
    let admin: TenantAdminPage;

    await test.step('creating an invitation without an address shows its link, once', async () => {
      admin = await openAdminPageSigningIn(page, tenants.initech, people.inviter);
      await admin.createInvitation({ uses: 3, days: 5 });
      await expect(admin.notice).toContainText(
        'Copy this link now and send it to the person you invite. It is shown only this once.',
      );
      await expect(admin.issuedLink).toHaveAttribute('readonly', '');
      link = await admin.issuedLink.inputValue();
      expect(new URL(link).pathname).toMatch(INVITATION_LINK);
      const row = admin.invitations.first(); // newest first
      await expect(row.getByRole('cell').first()).toHaveText('anyone with the link');
      await expect(admin.invitationStatus(row)).toHaveText('pending');
      await expect(row).toContainText('(0 of 3 used)');
      await expectAccessibleBasics(page);
      await screenshot(page, '76-invitation-admin-link');
    });

    await test.step('the link works, and opening the admin page again does not show it', async () => {
      const visitor = new InvitationLandingPage(await anotherBrowser());
      await visitor.openLink(link);
      await visitor.expectSignedOutView('Initech');
      await admin.open(tenants.initech.id);
      await admin.expectShown(tenants.initech);
      await expect(admin.issuedLink).toHaveCount(0);
      await expect(page.getByRole('main')).not.toContainText(new URL(link).pathname);
    });

    await test.step('"Revoke" marks it revoked and removes the button', async () => {
      const row = admin.invitations.first();
      await expect(row).toContainText('(0 of 3 used)');
      await admin.revokeButton(row).click();
      await admin.expectNotice('The invitation is revoked; its link no longer works.');
      const revoked = admin.invitations.first();
      await expect(admin.invitationStatus(revoked)).toHaveText('revoked');
      await expect(revoked).toContainText('(0 of 3 used)');
      await expect(admin.revokeButton(revoked)).toHaveCount(0);
      await expectAccessibleBasics(page);
      await screenshot(page, '77-invitation-admin-revoked');
    });

    await test.step('the revoked link now shows "This invitation was withdrawn"', async () => {
      const visitor = await anotherBrowser();
      const response = await visitor.goto(link);
      expect(response?.status()).toBe(410);
      await new InvitationProblemPage(visitor).expectShown('revoked');
    });
  });
});
