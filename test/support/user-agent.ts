// A minimal browser for protocol tests: keeps cookies, follows redirects on request, reads forms.
// Browser tests use real Chromium (e2e/); this drives the same pages over plain HTTP.

export interface Page {
  status: number;
  url: string;
  location?: string;
  html: string;
}

export class UserAgent {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly origin: string) {}

  /** One request, no redirect following; returns the page and remembers cookies. */
  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Page> {
    const absolute = new URL(url, this.origin).href;
    const headers: Record<string, string> = { accept: 'text/html', ...init.headers };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(absolute, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.store(line);
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, url: absolute, location: location && new URL(location, absolute).href, html: await res.text() };
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

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** Every cookie held, as a Cookie header. */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private store(line: string): void {
    const [pair] = line.split(';');
    const index = pair!.indexOf('=');
    const name = pair!.slice(0, index).trim();
    const value = pair!.slice(index + 1).trim();
    if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

export function findForm(html: string, action: string | RegExp): { action: string; hidden: Record<string, string> } {
  for (const match of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)) {
    const tag = match[0];
    const formAction = decode(/action="([^"]*)"/.exec(tag)?.[1] ?? '');
    if (typeof action === 'string' ? formAction !== action && !formAction.endsWith(action) : !action.test(formAction)) continue;
    const hidden: Record<string, string> = {};
    for (const input of tag.matchAll(/<input\b[^>]*type="hidden"[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      if (name) hidden[name] = decode(/value="([^"]*)"/.exec(input[0])?.[1] ?? '');
    }
    return { action: formAction, hidden };
  }
  throw new Error(`no form with action ${String(action)} in page:\n${html.slice(0, 2000)}`);
}
