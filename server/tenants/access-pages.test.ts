// Where members came from and when their access ends, on the tenant admin page and the account page (HTTP).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { type Person, person } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';
import { Membership } from '../db/entities/index.js';
import { insertMembership } from './service.js';

describeWithServer('access ends on the admin and account pages', (server: () => TestServer) => {
  let tenantId: string;
  let admin: Person;
  let temp: Person;
  let tempMembership: string;
  const ends = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10);

  before(async () => {
    const { tenants, invitations, redemption } = server().tessera;
    tenantId = (await tenants.create({ kind: 'client', clientId: 't', manage: true }, { name: 'Umbrella' })).id;
    [admin, temp] = await Promise.all([person(server(), 'Wesker'), person(server(), 'Temp')]);
    await server().db.transaction((m) => insertMembership(m, tenantId, admin.id, ['tenant-admin'], null));
    const caller = { kind: 'user', accountId: admin.id, scopes: new Set(['tenants:admin']) } as const;
    const issued = await invitations.create(caller, tenantId, {
      roles: ['tenant-user'],
      deliver: 'none',
      email: temp.email,
      accessExpiresAt: `${ends}T00:00:00Z`,
    });
    await redemption.accept({ token: issued.token! }, temp.id);
    tempMembership = (await server().db.read((m) => m.findOneByOrFail(Membership, { tenantId, accountId: temp.id })))
      .id;
  });

  async function open(who: Person, path: string): Promise<{ browser: UserAgent; page: Page }> {
    const browser = new UserAgent(server().url);
    let page = await browser.follow(path);
    if (/action="\/interaction\/[^"]+\/login"/.test(page.html))
      page = await browser.submit(page, /\/login$/, { email: who.email, password: who.password });
    return { browser, page };
  }

  test('the admin page says who invited the member and when their access ends; the admin moves the end', async () => {
    const { browser, page } = await open(admin, `/tenants/${tenantId}/manage`);
    assert.match(page.html, /Invited by Wesker, joined \d{4}-\d{2}-\d{2}/);
    assert.match(page.html, new RegExp(`Access ends ${ends}`));
    assert.match(page.html, new RegExp(`tenant-user <span class="muted small">until ${ends}`));
    const action = `/tenants/${tenantId}/manage/members/${tempMembership}/access`;
    const saved = await browser.submit(page, action, { ends_on: '2030-01-31' });
    assert.match(saved.html, /The end of the member&#39;s access is saved|The end of the member's access is saved/);
    assert.match(saved.html, /Access ends 2030-01-31/);
    const cleared = await browser.submit(saved, action, { ends_on: '' });
    assert.doesNotMatch(cleared.html, /Access ends \d/);
    const bad = await browser.submit(cleared, action, { ends_on: 'soon' });
    assert.equal(bad.status, 400);
    await browser.submit(bad.status === 400 ? cleared : bad, action, { ends_on: ends });
  });

  test('the member sees the end of their access on the account page', async () => {
    const { page } = await open(temp, '/account');
    assert.match(page.html, /Your organisations/);
    assert.match(page.html, new RegExp(`Umbrella</strong>[\\s\\S]*?Your access ends ${ends}`));
  });
});
