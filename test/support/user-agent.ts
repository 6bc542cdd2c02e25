// A minimal browser for protocol tests: keeps cookies, follows redirects on request, reads forms.
// Browser tests use real Chromium (e2e/); this drives the same pages over plain HTTP. Cookies go through
// a real cookie jar (Path, Expires, Max-Age and Domain honoured, as Tessera's path-scoped cookies need),
// and pages through an HTML parser, so the tests see what a browser would.
import { parse } from 'node-html-parser';
import { CookieJar } from 'tough-cookie';
import { fetchWithin } from './waits.js';

export interface Page {
  status: number;
  url: string;
  location?: string;
  html: string;
}

export class UserAgent {
  private readonly jar = new CookieJar();

  constructor(private readonly origin: string) {}

  /** One request, no redirect following; returns the page and remembers cookies. */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const absolute = new URL(url, this.origin).href;
    const headers: Record<string, string> = { accept: 'text/html', ...init.headers };
    const cookie = await this.jar.getCookieString(absolute);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetchWithin(absolute, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    for (const line of res.headers.getSetCookie()) await this.jar.setCookie(line, absolute, { ignoreError: true });
    const location = res.headers.get('location') ?? undefined;
    return {
      status: res.status,
      url: absolute,
      location: location && new URL(location, absolute).href,
      html: await res.text(),
    };
  }

  /** Follows redirects while they stay on `origin`; stops at the first one that leaves it (the app's redirect_uri). */
  async follow(url: string, init: Parameters<UserAgent['request']>[1] = {}): Promise<Page> {
    let page = await this.request(url, init);
    for (let hops = 0; page.location && hops < 20; hops++) {
      if (!page.location.startsWith(this.origin) || new URL(page.location).pathname.endsWith('/callback')) return page;
      page = await this.request(page.location);
    }
    return page;
  }

  /** Submits the form whose action matches, with its hidden fields (CSRF token) plus `fields`. */
  async submit(page: Page, action: string | RegExp, fields: Record<string, string> = {}): Promise<Page> {
    const form = findForm(page.html, action);
    return this.follow(new URL(form.action, page.url).href, { form: { ...form.hidden, ...fields } });
  }

  /** A live cookie of this origin by name, whatever its path. */
  cookie(name: string): string | undefined {
    return this.live()
      .filter((c) => c.key === name)
      .at(-1)?.value as string | undefined;
  }

  /** Every live cookie held, whatever its path, as one Cookie header (for requests made outside this agent). */
  cookieHeader(): string {
    return this.live()
      .map((c) => `${c.key}=${String(c.value)}`)
      .join('; ');
  }

  private live() {
    const all = this.jar.serializeSync()?.cookies ?? [];
    return all.filter(
      (c) => !c.expires || c.expires === 'Infinity' || new Date(String(c.expires)).getTime() > Date.now(),
    );
  }
}

/** The first form whose action is (or ends with) `action`, with its hidden inputs' values. */
export function findForm(html: string, action: string | RegExp): { action: string; hidden: Record<string, string> } {
  for (const form of parse(html).querySelectorAll('form')) {
    const formAction = form.getAttribute('action') ?? '';
    if (typeof action === 'string' ? formAction !== action && !formAction.endsWith(action) : !action.test(formAction))
      continue;
    const hidden: Record<string, string> = {};
    for (const input of form.querySelectorAll('input[type="hidden"]')) {
      const name = input.getAttribute('name');
      if (name) hidden[name] = input.getAttribute('value') ?? '';
    }
    return { action: formAction, hidden };
  }
  throw new Error(`no form with action ${String(action)} in page:\n${html.slice(0, 2000)}`);
}

/** A new browser that opens `path` as `who`: through Tessera's sign-in when it asks, then back to the page. */
export async function openSignedIn(
  origin: string,
  path: string,
  who: { email: string; password: string },
): Promise<{ browser: UserAgent; page: Page }> {
  const browser = new UserAgent(origin);
  let page = await browser.follow(path);
  if (/action="\/interaction\/[^"]+\/login"/.test(page.html))
    page = await browser.submit(page, /\/login$/, { email: who.email, password: who.password });
  return { browser, page };
}
