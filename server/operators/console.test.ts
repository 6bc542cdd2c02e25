// The operator console through HTTP on both databases: who may use it, CSRF, confirmation of destructive
// actions, friendly pages for bad input, and the changes it makes through the operator API's operations.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { getClient } from '../oidc/clients.js';
import { openConsole, postForm } from '../../test/support/console.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { type Person, person } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';

describeWithServer('operator console', (server: () => TestServer) => {
  let operator: Person;
  let colleague: Person;
  let stranger: Person;
  let target: Person;

  before(async () => {
    [operator, colleague, stranger, target] = await Promise.all([
      person(server(), 'Olga Operator'),
      person(server(), 'Cole Colleague'),
      person(server(), 'Stan Stranger'),
      person(server(), 'Tara Target'),
    ]);
    await server().tessera.operators.grant('test', { accountId: operator.id });
    await server().tessera.operators.grant('test', { accountId: colleague.id });
  });

  /** Opens a console page as `who`, through Tessera's sign-in and back. */
  const open = (who: Person, path?: string) => openConsole(server(), who, path);

  /** Registers a client through the console's form; answers the page after it and the client's id. */
  async function registerClient(browser: UserAgent, fields: Record<string, string>) {
    const form = await browser.follow('/admin/clients/new');
    const created = await browser.submit(form, '/admin/clients', fields);
    const clientId = /\/admin\/clients\/([^"/?]+)\/delete/.exec(created.html)?.[1];
    return { created, clientId: clientId ?? assert.fail(created.html.slice(0, 3000)) };
  }

  const secretOn = (page: Page) => /id="client-secret" type="text" readonly value="([^"]+)"/.exec(page.html)?.[1];

  test('someone not signed in is sent through sign-in and comes back to the console page they asked for', async () => {
    const first = await new UserAgent(server().url).request('/admin/accounts?q=tara');
    assert.equal(first.status, 302);
    assert.match(first.location!, /\/auth\?client_id=tessera-internal/);
    const { page } = await open(operator, '/admin/accounts?q=tara');
    assert.equal(page.status, 200);
    assert.match(page.html, new RegExp(target.email));
    assert.doesNotMatch(page.html, new RegExp(stranger.email), 'the search keeps only matching accounts');
  });

  test('a signed-in person who is not an operator gets the 403 page, and their POSTs change nothing', async () => {
    const { browser, page } = await open(stranger);
    assert.equal(page.status, 403);
    assert.match(page.html, /This console is for operators/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await browser.follow('/account')).html)?.[1];
    const refused = await browser.request(`/admin/accounts/${target.id}/disable`, {
      form: { _csrf: csrf!, confirm: 'yes' },
    });
    assert.equal(refused.status, 403);
    assert.equal(await server().tessera.operators.isOperator(stranger.id), false);
    const account = await server().tessera.accounts.findById(target.id);
    assert.equal(account?.disabledAt, null);
  });

  test('an operator whose role is taken away mid-session is refused at the next request', async () => {
    const { browser, page } = await open(colleague);
    assert.equal(page.status, 200);
    await server().tessera.operators.revoke('test', colleague.id);
    const after = await browser.follow('/admin/clients');
    assert.equal(after.status, 403);
    const posted = await browser.submit(page, '/admin/clients', { name: 'Sneaky', kind: 'public' });
    assert.equal(posted.status, 403);
    await server().tessera.operators.grant('test', { accountId: colleague.id });
  });

  test('the operator registers a client: its secret shows once, works, and is replaced by a rotation after confirmation', async () => {
    const { browser } = await open(operator, '/admin/clients/new');
    const { created, clientId } = await registerClient(browser, {
      name: 'Ledger',
      kind: 'confidential',
      grant_types: 'authorization_code',
      redirect_uris: 'https://ledger.example/callback\n\nhttps://ledger.example/other ',
    });
    assert.equal(created.status, 200);
    assert.match(created.html, /The client is registered/);
    const secret = secretOn(created);
    assert.ok(secret && secret.length >= 32);
    const client = await getClient(server().db, decodeURIComponent(clientId));
    assert.deepEqual(client.redirectUris, ['https://ledger.example/callback', 'https://ledger.example/other']);
    const detail = await browser.follow(`/admin/clients/${clientId}`);
    assert.equal(secretOn(detail), undefined, 'the secret is not shown again');
    assert.match(detail.html, /client\.created/, 'the audit trail of the client is on its page');
    assert.match(
      detail.html,
      new RegExp(`<a href="/admin/accounts/${operator.id}">Olga Operator</a>`),
      'the actor by name',
    );
    const found = await browser.follow('/admin/clients?q=LEDG');
    assert.match(found.html, />Ledger<\/a>/);
    assert.doesNotMatch((await browser.follow('/admin/clients?q=nothing-like-it')).html, />Ledger<\/a>/);

    const asked = await browser.submit(detail, `/admin/clients/${clientId}/secret`);
    assert.match(asked.html, /Rotate the secret of Ledger\?/);
    assert.equal(secretOn(asked), undefined, 'nothing is rotated before the confirmation');
    const rotated = await browser.submit(asked, `/admin/clients/${clientId}/secret`);
    const fresh = secretOn(rotated);
    assert.ok(fresh && fresh !== secret);
    assert.match(rotated.html, /client\.secret_rotated/);
  });

  test('the operator changes redirect URIs; a rule the API refuses is said on the page with a 4xx', async () => {
    const { browser } = await open(operator, '/admin/clients/new');
    const { created, clientId } = await registerClient(browser, {
      name: 'Atlas',
      kind: 'public',
      redirect_uris: 'https://atlas.example/first',
    });
    const saved = await browser.submit(created, `/admin/clients/${clientId}`, {
      name: 'Atlas',
      redirect_uris: 'https://atlas.example/cb',
    });
    assert.match(saved.html, /settings are saved/);
    assert.deepEqual((await getClient(server().db, clientId)).redirectUris, ['https://atlas.example/cb']);
    const refused = await browser.submit(saved, `/admin/clients/${clientId}`, {
      name: 'Atlas',
      redirect_uris: 'not a uri',
    });
    assert.ok(refused.status >= 400 && refused.status < 500, `status ${refused.status}`);
    assert.match(refused.html, /class="alert alert-error"/);
    assert.deepEqual((await getClient(server().db, clientId)).redirectUris, ['https://atlas.example/cb']);
  });

  test('deleting without the confirmation only asks; with it the client is gone', async () => {
    const { browser } = await open(operator, '/admin/clients/new');
    const { created, clientId } = await registerClient(browser, {
      name: 'Doomed',
      kind: 'public',
      redirect_uris: 'https://doomed.example/cb',
    });
    const asked = await browser.submit(created, `/admin/clients/${clientId}/delete`);
    assert.match(asked.html, /Delete Doomed\?/);
    assert.ok(await getClient(server().db, clientId), 'still there');
    const deleted = await browser.submit(asked, `/admin/clients/${clientId}/delete`);
    assert.match(deleted.html, /The client is deleted/);
    await assert.rejects(getClient(server().db, clientId));
  });

  test('the operator disables an account after confirming, which ends its sessions; enabling lets it back in', async () => {
    const { browser } = await open(operator, `/admin/accounts/${target.id}`);
    const detail = await browser.follow(`/admin/accounts/${target.id}`);
    const asked = await browser.submit(detail, `/admin/accounts/${target.id}/disable`);
    assert.match(asked.html, /Disable .*\?/);
    assert.equal((await server().tessera.accounts.findById(target.id))?.disabledAt, null);
    const disabled = await browser.submit(asked, `/admin/accounts/${target.id}/disable`);
    assert.match(disabled.html, /The account is disabled/);
    assert.match(disabled.html, /account\.disabled/);
    assert.ok((await server().tessera.accounts.findById(target.id))?.disabledAt);
    const enabled = await browser.submit(disabled, `/admin/accounts/${target.id}/enable`);
    assert.match(enabled.html, /The account is enabled/);
    assert.equal((await server().tessera.accounts.findById(target.id))?.disabledAt, null);
  });

  test('a form without the CSRF token is refused and changes nothing', async () => {
    const { browser } = await open(operator, `/admin/accounts/${target.id}`);
    const refused = await browser.request(`/admin/accounts/${target.id}/disable`, { form: { confirm: 'yes' } });
    assert.equal(refused.status, 403);
    assert.equal((await server().tessera.accounts.findById(target.id))?.disabledAt, null);
  });

  test('bad input is a friendly 400 page, never a 500', async () => {
    const { browser } = await open(operator, '/admin/accounts');
    const notAnId = await browser.follow('/admin/accounts/not-a-uuid');
    assert.equal(notAnId.status, 400);
    assert.match(notAnId.html, /<h1>/);
    const unknownField = await browser.request('/admin/clients', {
      form: {
        _csrf: /name="_csrf" value="([^"]+)"/.exec((await browser.follow('/admin/clients/new')).html)![1]!,
        evil: 'x',
      },
    });
    assert.equal(unknownField.status, 400);
    const badFilter = await browser.follow('/admin/audit?tenant_id=nope&since=yesterday-ish');
    assert.equal(badFilter.status, 400);
    assert.match(badFilter.html, /This filter cannot be read/);
  });

  test('the audit trail filters by type and pages', async () => {
    const { browser } = await open(operator, '/admin/audit?type=client.created');
    const page = await browser.follow('/admin/audit?type=client.created');
    assert.equal(page.status, 200);
    assert.match(page.html, /client\.created/);
    assert.doesNotMatch(page.html, /<code>account\.disabled<\/code>/);
  });

  test('the operator creates a tenant with a first admin by account id and sees it', async () => {
    const { browser, page } = await open(operator, '/admin/tenants');
    const created = await postForm(browser, page, '/admin/tenants', {
      name: 'Vandelay',
      first_admin: 'account',
      account_id: target.id,
    });
    assert.match(created.html, /The tenant is created/);
    assert.match(created.html, /<h1>Vandelay<\/h1>/);
    assert.match(created.html, /tenant\.created/);
    assert.match(
      created.html,
      new RegExp(`href="/admin/accounts/${target.id}">Tara Target</a>[\\s\\S]*?badge-admin">tenant-admin<`),
      'the first admin is listed as a member with the tenant-admin role',
    );
  });
});
