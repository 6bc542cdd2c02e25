// The domains section of the tenant admin page through HTTP, on each database: a domain added through the
// form, verified against the DNS stub (a wrong record shown on the page), its policy saved, and a request to
// join approved and another declined through the page's forms; a domain routed to the tenant's own connection
// (another tenant's refused); a tenant-user is refused all of it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { JoinRequest } from '../db/entities/index.js';
import { apiClient } from '../../test/support/api.js';
import { startDnsStub } from '../../test/support/dns-stub.js';
import { connectTo } from '../../test/support/federation.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, person } from '../../test/support/tokens.js';
import type { Upstream } from '../../test/support/upstream.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';
import { JoinService } from './domains-joins.js';
import { HomeRealm } from './home-realm.js';

const dns = await startDnsStub();
after(() => dns.close());

describeWithServer(
  'the domains section of the tenant admin page',
  (server: () => TestServer) => {
    const { call, tenantWith } = apiClient(server);
    let tenantId: string;
    let admin: Person;
    let member: Person;
    const home = () => `/tenants/${tenantId}/manage`;

    const joins = () => new JoinService(server().db);

    before(async () => {
      const manage = await clientToken(server(), { manage: true });
      [admin, member] = await Promise.all([person(server(), 'Admin'), person(server(), 'Member')]);
      tenantId = await tenantWith(manage, 'Sectioned', [admin], [member]);
    });

    async function open(who: Person): Promise<{ browser: UserAgent; page: Page }> {
      const browser = new UserAgent(server().url);
      let page = await browser.follow(home());
      if (/action="\/interaction\/[^"]+\/login"/.test(page.html))
        page = await browser.submit(page, /\/login$/, { email: who.email, password: who.password });
      return { browser, page };
    }

    test('the admin adds a domain, sees its record, is told a wrong record does not verify, then verifies it and saves a policy', async () => {
      const { browser, page } = await open(admin);
      const domain = `section-${crypto.randomUUID().slice(0, 6)}.example.test`;
      const added = await browser.submit(page, `${home()}/domains`, {
        domain: domain.toUpperCase(),
        join_policy: 'off',
      });
      assert.match(added.html, /The domain is added/);
      const record = new RegExp(
        `<code>(_tessera-verification\\.${domain.replace(/\./g, '\\.')})</code>[\\s\\S]*?<code>(tessera-domain-verification=[\\w-]+)</code>`,
      ).exec(added.html);
      assert.ok(record, 'the page shows the record to publish');
      dns.setTxt(record[1]!, ['tessera-domain-verification=wrong']);
      const wrong = await browser.submit(added, /\/domains\/[0-9a-f-]+\/verify$/);
      assert.equal(wrong.status, 422);
      assert.match(wrong.html, /No TXT record at _tessera-verification/);
      dns.setTxt(record[1]!, [record[2]!]);
      const verified = await browser.submit(wrong, /\/domains\/[0-9a-f-]+\/verify$/);
      assert.match(verified.html, /The domain is verified/);
      assert.match(verified.html, /verified by DNS/);
      const saved = await browser.submit(verified, /\/domains\/[0-9a-f-]+\/policy$/, { join_policy: 'request' });
      assert.match(saved.html, /The join policy is saved/);
      assert.equal((await server().tessera.domains.ownerOf(domain))?.joinPolicy, 'request');
      const bad = await browser.submit(saved, `${home()}/domains`, { domain: 'localhost', join_policy: 'off' });
      assert.equal(bad.status, 400);
      assert.match(bad.html, /Expected a domain name/);
    });

    test('pending requests are listed with name and address; Approve makes a member, Decline does not', async () => {
      const domain = `queue-${crypto.randomUUID().slice(0, 6)}.example.test`;
      await server().tessera.domains.attest(tenantId, domain, 'request');
      const askers = await Promise.all(
        ['Ada', 'Bo'].map(async (name) => {
          const email = `${name.toLowerCase()}@${domain}`;
          const account = await server().tessera.accounts.createAccount({
            email,
            name,
            password: 'correct horse battery',
            verified: true,
          });
          await joins().decide(account.id, tenantId, 'request');
          return { id: account.id, email, name };
        }),
      );
      const { browser, page } = await open(admin);
      for (const asker of askers)
        assert.match(
          page.html,
          new RegExp(`<strong>${asker.name}</strong> <span class="muted address">${asker.email}</span>`),
        );
      const [ada, bo] = askers as [(typeof askers)[0], (typeof askers)[0]];
      const adaRequest = (await server().db.read((m) => m.findOneBy(JoinRequest, { accountId: ada.id })))!;
      const boRequest = (await server().db.read((m) => m.findOneBy(JoinRequest, { accountId: bo.id })))!;
      const approved = await browser.submit(page, `${home()}/join-requests/${adaRequest.id}/approve`);
      assert.match(approved.html, /The request is approved/);
      assert.match(approved.html, /members\/[0-9a-f-]+\/roles" aria-label="Roles of Ada"/);
      const denied = await browser.submit(approved, `${home()}/join-requests/${boRequest.id}/deny`);
      assert.match(denied.html, /The request is declined/);
      assert.doesNotMatch(denied.html, /aria-label="Roles of Bo"/);
      assert.match(denied.html, /No one is waiting for a decision/);
      const again = await browser.submit(page, `${home()}/join-requests/${adaRequest.id}/deny`);
      assert.equal(again.status, 409, 'a decided request cannot be decided again');
    });

    test('a tenant-user is refused the section (403), and a form the page does not send is a 400 that changes nothing', async () => {
      const { page } = await open(member);
      assert.equal(page.status, 403);
      const adminView = await open(admin);
      const before = (
        await call<{ items: unknown[] }>(
          'GET',
          `/api/tenants/${tenantId}/domains`,
          await clientToken(server(), { manage: true }),
        )
      ).body.items.length;
      const extra = await adminView.browser.submit(adminView.page, `${home()}/domains`, {
        domain: 'extra.example.test',
        join_policy: 'off',
        verified: 'yes',
      });
      assert.equal(extra.status, 400);
      const policy = await adminView.browser.submit(adminView.page, `${home()}/domains`, {
        domain: 'extra.example.test',
        join_policy: 'always',
      });
      assert.equal(policy.status, 400);
      const after = (
        await call<{ items: unknown[] }>(
          'GET',
          `/api/tenants/${tenantId}/domains`,
          await clientToken(server(), { manage: true }),
        )
      ).body.items.length;
      assert.equal(after, before);
    });

    test('the admin routes a verified domain to the tenant’s connection and turns passwords off; another tenant’s connection is refused on the page', async () => {
      const manage = await clientToken(server(), { manage: true });
      const stranger = await tenantWith(manage, 'Stranger');
      // No upstream is reached: choosing a connection for a domain only names it.
      const nowhere = { url: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's' } as Upstream;
      const own = await connectTo(server(), nowhere, { slug: 'section-sso', name: 'Section SSO', tenantId });
      const foreign = await connectTo(server(), nowhere, { slug: 'stranger-sso', tenantId: stranger });
      const domain = `routed-${crypto.randomUUID().slice(0, 6)}.example.test`;
      const { id } = await server().tessera.domains.attest(tenantId, domain);
      const { browser, page } = await open(admin);
      assert.match(page.html, new RegExp(`<option value="${own.id}">Section SSO</option>`));
      assert.doesNotMatch(page.html, new RegExp(foreign.id), 'only the tenant’s own connections are offered');

      const signIn = `${home()}/domains/${id}/sign-in`;
      const refused = await browser.submit(page, signIn, { sso_connection_id: foreign.id, password: 'allowed' });
      assert.equal(refused.status, 422);
      assert.match(refused.html, /Choose an enabled connection of this tenant/);
      const saved = await browser.submit(refused, signIn, { sso_connection_id: own.id, password: 'off' });
      assert.match(saved.html, /How people of the domain sign in is saved/);
      const route = await new HomeRealm(server().db, server().tessera.federation).routeOf(`ada@${domain}`);
      assert.deepEqual(route, { slug: 'section-sso', name: 'Section SSO', passwordAllowed: false });
    });
  },
  { DNS_SERVERS: dns.address, DNS_TIMEOUT_MS: '2000' },
);
