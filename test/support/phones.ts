// Phones as a test drives them: fresh numbers, the SMS in the outbox, and signing up or in with a code.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mailsTo } from './accounts.js';
import type { TestServer } from './server.js';
import type { Page, UserAgent } from './user-agent.js';

/** A German mobile number no other test uses (+49 151 and eight digits: a range that exists). */
export const newPhoneNumber = () => `+49151${String(randomInt(10 ** 8)).padStart(8, '0')}`;

/** The texts of each kind of code: to sign in, to create an account, to add a number on the account page. */
const SHAPES = {
  sign_in: /^(\d{6}) is your sign-in code/,
  sign_up: /^(\d{6}) is your code to create an account/,
  add_number: /^(\d{6}) is your code to add this number/,
};

/**
 * The code of `kind` texted to `phone` (queued after the answer); `except` an earlier one. By kind, since
 * MariaDB orders messages of one second in no particular order.
 */
export async function textedCode(
  server: TestServer,
  phone: string,
  kind: keyof typeof SHAPES,
  except?: string,
): Promise<string> {
  await server.tessera.accounts.settled();
  const shape = SHAPES[kind];
  const code = (await mailsTo(server, phone))
    .filter((sms) => sms.channel === 'sms')
    .map((sms) => shape.exec(sms.bodyText)?.[1])
    .filter((found) => found && found !== except)
    .at(-1);
  assert.ok(code, `no code texted to ${phone}`);
  return code;
}

/** From the sign-in page through the phone button and the number: the page that asks for the code. */
export async function askPhoneCode(browser: UserAgent, login: Page, phone: string): Promise<Page> {
  const ask = await browser.submit(login, /\/phone$/);
  assert.equal(ask.status, 200, ask.html.slice(0, 300));
  return browser.submit(ask, /\/phone\/send$/, { phone });
}

/** Signs up with a new number (E.164, as `typed`) from the sign-in page: the code, then the name; the page after it. */
export async function signUpByPhone(
  server: TestServer,
  browser: UserAgent,
  login: Page,
  phone: string,
  name: string,
  typed = phone,
): Promise<Page> {
  const enter = await askPhoneCode(browser, login, typed);
  const code = await textedCode(server, phone, 'sign_up');
  const named = await browser.submit(enter, /\/phone\/verify$/, { code });
  assert.equal(named.status, 200, `no name page: ${named.status} ${named.html.slice(0, 300)}`);
  assert.match(named.html, /action="\/interaction\/[^"]+\/phone\/name"/);
  return browser.submit(named, /\/phone\/name$/, { name });
}
