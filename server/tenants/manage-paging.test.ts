// The tenant admin page in pages: members by name, invitations newest first, nothing skipped or repeated.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { apiClient, type Reply } from '../../test/support/api.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, person } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';
import { MANAGE_PAGE_SIZE } from './pages.js';
import { insertMembership } from './service.js';

const MEMBERS = 120;
const INVITATIONS = 120;

/** The ids of the rows a page lists, in order: members by their roles form, invitations by their revoke form. */
const memberIds = (page: Page) => [...page.html.matchAll(/manage\/members\/([0-9a-f-]{36})\/roles/g)].map((m) => m[1]!);
const invitationIds = (page: Page) =>
  [...page.html.matchAll(/manage\/invitations\/([0-9a-f-]{36})\/revoke/g)].map((m) => m[1]!);

/** The link with `rel` in the pager called `label`, if there is one. */
function pagerLink(page: Page, label: string, rel: 'next' | 'prev'): string | undefined {
  const nav = new RegExp(`<nav class="pager" aria-label="${label}">([\\s\\S]*?)</nav>`).exec(page.html)?.[1] ?? '';
  return new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(nav)?.[1]?.replaceAll('&amp;', '&');
}

describeWithServer('tenant admin page in pages', (server: () => TestServer) => {
  let tenantId: string;
  let admin: Person;
  /** Membership ids as the page must list them: by name, case-insensitive, then id. */
  let byName: string[];
  /** The same for members whose name has "blue" in it. */
  let blueByName: string[];
  /** Invitation ids newest first, then id (descending). */
  let newestFirst: string[];
  let browser: UserAgent;

  before(async () => {
    const backend = { kind: 'client' as const, clientId: 't', manage: true };
    tenantId = (await server().tessera.tenants.create(backend, { name: 'Paged Corp' })).id;
    admin = await person(server(), 'Admin');
    const rows: { id: string; key: string }[] = [];
    await server().db.transaction(async (m) => {
      rows.push({ id: (await insertMembership(m, tenantId, admin.id, ['tenant-admin'], null)).id, key: 'admin' });
    });
    // Names out of creation order, in mixed case, some twice (then the id decides).
    for (let n = 0; n < MEMBERS; n++) {
      const name = `${n % 2 ? 'member' : 'Member'} ${String((n * 37) % 100).padStart(3, '0')} ${n % 3 ? 'Blue' : 'Red'}`;
      const account = await server().tessera.accounts.createAccount({
        email: `m${n}-${crypto.randomUUID().slice(0, 8)}@example.test`,
        name,
        password: 'correct horse battery staple',
        verified: true,
      });
      await server().db.transaction(async (m) => {
        rows.push({
          id: (await insertMembership(m, tenantId, account.id, ['tenant-user'], null)).id,
          key: name.toLowerCase(),
        });
      });
    }
    const order = (a: { id: string; key: string }, b: { id: string; key: string }) =>
      a.key === b.key ? (a.id < b.id ? -1 : 1) : a.key < b.key ? -1 : 1;
    rows.sort(order);
    byName = rows.map((r) => r.id);
    blueByName = rows.filter((r) => r.key.includes('blue')).map((r) => r.id);

    const issued = [];
    for (let n = 0; n < INVITATIONS; n++)
      issued.push(
        await server().tessera.invitations.create(backend, tenantId, { roles: ['tenant-user'], deliver: 'none' }),
      );
    newestFirst = issued
      .sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1))
      .map((i) => i.id);

    browser = new UserAgent(server().url);
    const login = await browser.follow(`/tenants/${tenantId}/manage`);
    await browser.submit(login, /\/login$/, { email: admin.email, password: admin.password });
  });

  /** Follows one list's "next" links from the first page to the last, collecting what each page shows. */
  async function walk(start: string, label: string, idsOf: (page: Page) => string[]): Promise<string[][]> {
    const pages: string[][] = [];
    let url: string | undefined = start;
    while (url) {
      assert.ok(pages.length < 10, 'the next links end');
      const page = await browser.follow(url);
      assert.equal(page.status, 200);
      pages.push(idsOf(page));
      url = pagerLink(page, label, 'next');
    }
    return pages;
  }

  test('the first page shows the first members by name and the newest invitations, with no link back', async () => {
    const page = await browser.follow(`/tenants/${tenantId}/manage`);
    assert.equal(page.status, 200);
    assert.deepEqual(memberIds(page), byName.slice(0, MANAGE_PAGE_SIZE));
    assert.deepEqual(invitationIds(page), newestFirst.slice(0, MANAGE_PAGE_SIZE));
    assert.equal(pagerLink(page, 'Pages of Members', 'prev'), undefined);
    assert.equal(pagerLink(page, 'Pages of Invitations', 'prev'), undefined);
  });

  test('following the next links shows every member once, in order by name, and every invitation once, newest first', async () => {
    const members = await walk(`/tenants/${tenantId}/manage`, 'Pages of Members', memberIds);
    assert.deepEqual(
      members.map((p) => p.length),
      [50, 50, 21],
    );
    assert.deepEqual(members.flat(), byName);
    const invitations = await walk(`/tenants/${tenantId}/manage`, 'Pages of Invitations', invitationIds);
    assert.deepEqual(
      invitations.map((p) => p.length),
      [50, 50, 20],
    );
    assert.deepEqual(invitations.flat(), newestFirst);
  });

  test('the previous link leads back to the page before, and paging one list keeps the other on its page', async () => {
    const first = await browser.follow(`/tenants/${tenantId}/manage`);
    const second = await browser.follow(pagerLink(first, 'Pages of Invitations', 'next')!);
    const third = await browser.follow(pagerLink(second, 'Pages of Invitations', 'next')!);
    assert.deepEqual(invitationIds(third), newestFirst.slice(100));
    const members = await browser.follow(pagerLink(third, 'Pages of Members', 'next')!);
    assert.deepEqual(memberIds(members), byName.slice(50, 100));
    assert.deepEqual(invitationIds(members), newestFirst.slice(100), 'the invitations stay on their page');
    const back = await browser.follow(pagerLink(members, 'Pages of Invitations', 'prev')!);
    assert.deepEqual(invitationIds(back), newestFirst.slice(50, 100));
    const start = await browser.follow(pagerLink(back, 'Pages of Invitations', 'prev')!);
    assert.deepEqual(invitationIds(start), newestFirst.slice(0, 50));
    assert.equal(pagerLink(start, 'Pages of Invitations', 'prev'), undefined, 'the first page has no page before it');
    assert.deepEqual(memberIds(start), byName.slice(50, 100));
  });

  test('a search pages through only the members it finds, and its pages keep the search', async () => {
    assert.ok(blueByName.length > MANAGE_PAGE_SIZE);
    const members = await walk(`/tenants/${tenantId}/manage?search=BLUE`, 'Pages of Members', memberIds);
    assert.deepEqual(members.flat(), blueByName);
  });

  test('the Management API lists members by name and invitations newest first when asked, both ways, and by id otherwise', async () => {
    const { call } = apiClient(server);
    const token = await clientToken(server(), { manage: true });
    type Listing = { items: { id: string }[]; next_cursor: string | null; previous_cursor?: string | null };
    /** Every page of a listing, following next_cursor; and the first page again, reached back from the second. */
    const walkApi = async (path: string) => {
      const pages: Listing[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        assert.ok(pages.length < 10, 'the next cursors end');
        const reply: Reply<Listing> = await call<Listing>(
          'GET',
          `${path}&limit=60${cursor ? `&cursor=${cursor}` : ''}`,
          token,
        );
        assert.equal(reply.status, 200);
        pages.push(reply.body);
        cursor = reply.body.next_cursor;
      }
      const back = await call<Listing>('GET', `${path}&limit=60&cursor=${pages[1]!.previous_cursor}`, token);
      assert.deepEqual(back.body.items, pages[0]!.items);
      assert.equal(back.body.previous_cursor, null);
      return pages.flatMap((p) => p.items.map((i) => i.id));
    };
    assert.deepEqual(await walkApi(`/api/tenants/${tenantId}/memberships?order=name`), byName);
    assert.deepEqual(await walkApi(`/api/tenants/${tenantId}/invitations/tokens?order=newest`), newestFirst);
    const byId = await call<Listing>('GET', `/api/tenants/${tenantId}/invitations/tokens?limit=100`, token);
    assert.deepEqual(
      byId.body.items.map((i) => i.id),
      [...newestFirst].sort().slice(0, 100),
    );
    assert.equal(byId.body.previous_cursor, undefined);
  });

  test('a cursor the server did not give out is a 400 page', async () => {
    for (const cursor of [
      'nonsense',
      Buffer.from('{"key":1,"id":"x"}').toString('base64url'),
      Buffer.from('{"key":"x","id":"y","back":"no"}').toString('base64url'),
    ]) {
      assert.equal((await browser.request(`/tenants/${tenantId}/manage?members=${cursor}`)).status, 400, cursor);
    }
    const badTime = Buffer.from('{"key":"yesterday","id":"y"}').toString('base64url');
    assert.equal((await browser.request(`/tenants/${tenantId}/manage?invitations=${badTime}`)).status, 400);
  });
});
