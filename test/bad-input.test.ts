// Malformed requests get a 4xx with a clear message (JSON for API callers, a page for browsers), never a 500.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeWithServer, type TestServer } from './support/server.js';
import { UserAgent } from './support/user-agent.js';

describeWithServer('bad input', (server: () => TestServer) => {
  const url = (path: string) => `${server().url}${path}`;

  /** A browser that has loaded the reset form, so it holds a valid CSRF cookie and token. */
  async function withForm(): Promise<{ browser: UserAgent; csrf: string }> {
    const browser = new UserAgent(server().url);
    const page = await browser.follow('/reset-password');
    return { browser, csrf: /name="_csrf" value="([^"]+)"/.exec(page.html)![1]! };
  }

  test('an unknown route is a 404 page for a browser and JSON for an API caller', async () => {
    const page = await fetch(url('/no/such/page'), { headers: { accept: 'text/html' } });
    assert.equal(page.status, 404);
    assert.match(await page.text(), /Page not found/);
    const api = await fetch(url('/api/no-such-thing'));
    assert.equal(api.status, 404);
    assert.deepEqual(Object.keys((await api.json()) as object).sort(), ['error', 'error_description']);
  });

  test('an oversized form body is 413 and says so', async () => {
    const { browser, csrf } = await withForm();
    const page = await browser.request('/reset-password', { form: { _csrf: csrf, email: 'x'.repeat(200_000) } });
    assert.equal(page.status, 413);
    assert.match(page.html, /too large/);
  });

  test('invalid JSON is a 400 invalid_json error', async () => {
    const { browser } = await withForm();
    const res = await browser.request('/reset-password', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    });
    assert.ok(res.status < 500);
    const bad = await fetch(url('/reset-password'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{"email":',
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_json');
  });

  test('a body of an unsupported type is 415', async () => {
    const res = await fetch(url('/reset-password'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain', accept: 'application/json' },
      body: 'hello',
    });
    assert.equal(res.status, 415);
  });

  test('malformed and oversized form fields re-show the form with a message', async () => {
    const { browser, csrf } = await withForm();
    for (const email of ['not-an-email', '', 'a@'.repeat(300)]) {
      const page = await browser.request('/reset-password', { form: { _csrf: csrf, email } });
      assert.equal(page.status, 400, `for ${email.slice(0, 20)}`);
      assert.match(page.html, /valid e-mail address/);
    }
  });

  test('an unknown or expired interaction is a friendly page, not a 500', async () => {
    const page = await new UserAgent(server().url).request('/interaction/does-not-exist');
    assert.ok(page.status >= 400 && page.status < 500, `status ${page.status}`);
    assert.match(page.html, /sign-in expired|took too long/i);
    const post = await new UserAgent(server().url).request('/interaction/does-not-exist/login', {
      form: { email: 'a@b.c', password: 'x' },
    });
    assert.ok(post.status >= 400 && post.status < 500, `status ${post.status}`);
  });

  test('garbage sent to the token endpoint is an OAuth error, not a 500', async () => {
    const res = await fetch(url('/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=%%%',
    });
    assert.ok(res.status >= 400 && res.status < 500);
    assert.ok(((await res.json()) as { error: string }).error);
  });

  test('verification and reset links with a malformed code say the link is not valid', async () => {
    for (const path of ['/verify-email?code=%00%01', '/verify-email', `/reset-password/new?code=${'x'.repeat(5000)}`]) {
      const page = await new UserAgent(server().url).request(path);
      assert.equal(page.status, 400, path);
      assert.match(page.html, /no longer valid/);
    }
  });
});
