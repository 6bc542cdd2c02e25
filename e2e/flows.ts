// Multi-page journeys that several specs need as a starting point, built from the page objects.
import type { BrowserContext, Page } from '@playwright/test';
import { uniqueEmail } from './fixtures.js';
import { ConsentPage } from './pages/ConsentPage.js';
import { DemoPage } from './pages/DemoPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { MailPage, SUBJECTS } from './pages/MailPage.js';
import { CheckInboxPage, RegisterPage } from './pages/RegisterPage.js';
import { VerifyEmailPages } from './pages/ResetPages.js';

export interface Person {
  name: string;
  email: string;
  password: string;
}

export function newPerson(firstName: string): Person {
  return {
    name: `${firstName} Example`,
    email: uniqueEmail(firstName.toLowerCase()),
    password: `correct horse ${firstName} staple`,
  };
}

/** From the demo app to "Check your inbox": the account exists, its e-mail not yet confirmed. */
export async function registerThroughDemo(page: Page, person: Person): Promise<void> {
  const demo = new DemoPage(page);
  await demo.open();
  await demo.startSignIn();
  await new LoginPage(page).createAccount.click();
  const register = new RegisterPage(page);
  await register.expectShown();
  await register.register(person);
  await new CheckInboxPage(page).expectShown(person.email);
}

/** Opens the newest verification mail in another tab, as a person would, and confirms the address. */
export async function confirmEmailFromOutbox(context: BrowserContext, email: string): Promise<void> {
  const inbox = await context.newPage();
  const link = await new MailPage(inbox).newestLink(email, SUBJECTS.verifyEmail, '/verify-email');
  await inbox.goto(link);
  const verify = new VerifyEmailPages(inbox);
  await verify.expectConfirmShown();
  await verify.confirm();
  await inbox.close();
}

/** A person with a confirmed e-mail, who has not signed in yet (the browser has no session). */
export async function registeredAndVerified(page: Page, firstName: string): Promise<Person> {
  const person = newPerson(firstName);
  await registerThroughDemo(page, person);
  await confirmEmailFromOutbox(page.context(), person.email);
  return person;
}

/** The demo app's sign-in up to Tessera's sign-in page; returns that page. */
export async function demoLoginPage(page: Page): Promise<LoginPage> {
  const demo = new DemoPage(page);
  await demo.open();
  await demo.startSignIn();
  const login = new LoginPage(page);
  await login.expectShown();
  return login;
}

/** Demo app → sign in → allow; returns the demo page (what comes next depends on the person's tenants). */
export async function signInToDemoAndAllow(page: Page, person: Pick<Person, 'email' | 'password'>): Promise<DemoPage> {
  const demo = new DemoPage(page);
  await demo.open();
  await demo.startSignIn();
  const login = new LoginPage(page);
  await login.expectShown();
  await login.signIn(person.email, person.password);
  const consent = new ConsentPage(page);
  await consent.expectShown();
  await consent.allow();
  return demo;
}

/** Demo app → sign in → allow → the demo page shows the claims. */
export async function signInThroughDemo(page: Page, person: Pick<Person, 'email' | 'password'>): Promise<void> {
  await (await signInToDemoAndAllow(page, person)).expectSignedIn();
}
