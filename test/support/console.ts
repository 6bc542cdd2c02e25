// Opening the operator console (/admin) as a person, through Tessera's sign-in and back, for the console's tests.
import type { TestServer } from './server.js';
import type { Person } from './tokens.js';
import { type Page, UserAgent } from './user-agent.js';

export async function openConsole(
  server: TestServer,
  who: Person,
  path = '/admin/clients',
): Promise<{ browser: UserAgent; page: Page }> {
  const browser = new UserAgent(server.url);
  let page = await browser.follow(path);
  if (/action="\/interaction\/[^"]+\/login"/.test(page.html))
    page = await browser.submit(page, /\/login$/, { email: who.email, password: who.password });
  return { browser, page };
}

/** Posts a console form by its action with the page's CSRF token (for pages with a search form of the same action). */
export function postForm(
  browser: UserAgent,
  page: Page,
  action: string,
  fields: Record<string, string>,
): Promise<Page> {
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1];
  if (!csrf) throw new Error(`no CSRF token on ${page.url}`);
  return browser.follow(action, { form: { _csrf: csrf, ...fields } });
}
