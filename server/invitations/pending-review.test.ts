// The invitations waiting for a person's decision at sign-in: found with a fixed number of queries however
// many wait, listed a page at a time, and never one the person's membership already covers.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Logger } from 'typeorm';
import type { AccountService } from '../accounts/service.js';
import type { Caller } from '../tenants/access.js';
import { insertMembership, type TenantService } from '../tenants/service.js';
import { describeEachDatabase } from '../../test/support/databases.js';
import { invitationServices } from '../../test/support/services.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { pageAfterSignIn, person } from '../../test/support/tokens.js';
import { REVIEW_PAGE_SIZE, type RedemptionService } from './redemption.js';
import type { InvitationService } from './service.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };

describeEachDatabase('invitations waiting for a decision', [], (db) => {
  let invitations: InvitationService;
  let redemption: RedemptionService;
  let accounts: AccountService;
  let tenants: TenantService;

  before(async () => {
    const findClient = async (id: string) => ({ name: `Client ${id}`, redirectUris: [] });
    ({ invitations, redemption, accounts, tenants } = await invitationServices(db(), findClient));
  });

  const newTenant = async () => (await tenants.create(backend, { name: `T ${crypto.randomUUID().slice(0, 6)}` })).id;
  const newAccount = async (email = `p-${crypto.randomUUID().slice(0, 8)}@example.test`) =>
    (await accounts.createAccount({ email, name: 'P', password: 'long enough passphrase', verified: true })).id;

  /** The number of SQL statements `act` runs. */
  async function queriesOf(act: () => Promise<unknown>): Promise<number> {
    const source = db().dataSource;
    const original = source.logger;
    let count = 0;
    source.logger = new Proxy(original, {
      get: (target, key: keyof Logger) =>
        key === 'logQuery'
          ? (...args: Parameters<Logger['logQuery']>) => {
              count++;
              return target.logQuery(...args);
            }
          : target[key],
    });
    try {
      await act();
    } finally {
      source.logger = original;
    }
    return count;
  }

  /** `count` invitations bound to `email`, half from a backend, half from a person who administers the tenant. */
  async function inviteMany(email: string, count: number): Promise<void> {
    const tenantId = await newTenant();
    const adminId = await newAccount();
    await db().transaction((m) => insertMembership(m, tenantId, adminId, ['tenant-admin'], null));
    const admin: Caller = { kind: 'user', accountId: adminId, scopes: new Set(['tenants:admin']) };
    for (let i = 0; i < count; i++) {
      await invitations.create(i % 2 ? admin : backend, tenantId, { roles: ['tenant-user'], deliver: 'none', email });
    }
  }

  test('finding, counting and checking waiting invitations takes as many queries for 60 as for 3; the page holds 20 and says more remain', async () => {
    const email = `many-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const accountId = await newAccount(email);
    await inviteMany(email, 3);
    const few = await redemption.pendingFor(accountId);
    assert.equal(few.items.length, 3);
    assert.equal(few.more, false);
    const someId = few.items[0]!.id;
    const measure = async () => [
      await queriesOf(() => redemption.pendingFor(accountId)),
      await queriesOf(() => redemption.hasPending(accountId)),
      await queriesOf(() => redemption.isPendingFor(accountId, someId)),
    ];
    const withFew = await measure();
    await inviteMany(email, 57);
    const withMany = await measure();
    assert.deepEqual(withMany, withFew, 'queries for [page, any?, this one?]');
    assert.ok(withFew[0]! <= 5 && withFew[1]! <= 2 && withFew[2]! <= 2, `few queries: ${withFew.join(', ')}`);
    const page = await redemption.pendingFor(accountId);
    assert.equal(page.items.length, REVIEW_PAGE_SIZE);
    assert.equal(page.more, true);
    assert.ok(
      page.items.every((i) => i.inviterName === 'Client backend' || i.inviterName === 'P'),
      'inviters are named',
    );
    assert.equal(await redemption.hasPending(accountId), true);
  });

  test('an invitation the person\'s membership already covers is not waiting; one that adds a role is, also when role names differ only where "_" stands', async () => {
    const email = `member-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const accountId = await newAccount(email);
    const tenantId = await newTenant();
    await tenants.createRole(backend, tenantId, { name: 'ops_lead' });
    await tenants.createRole(backend, tenantId, { name: 'ops-lead' });
    await db().transaction((m) => insertMembership(m, tenantId, accountId, ['tenant-user', 'ops_lead'], null));
    const invite = async (roles: string[]) =>
      (await invitations.create(backend, tenantId, { roles, deliver: 'none', email })).id;
    await invite(['tenant-user']);
    await invite(['ops_lead', 'tenant-user']);
    const adds = await invite(['tenant-user', 'tenant-admin']);
    const lookalike = await invite(['ops-lead']);
    const waiting = (await redemption.pendingFor(accountId)).items.map((i) => i.id).sort();
    assert.deepEqual(waiting, [adds, lookalike].sort());
    assert.equal(await redemption.isPendingFor(accountId, adds), true);
    await redemption.decline({ id: adds }, accountId);
    assert.equal(await redemption.isPendingFor(accountId, adds), false, 'decided: no longer waiting');
  });
});

describeWithServer('the review page with many invitations', (server: () => TestServer) => {
  test('a person with 25 waiting invitations sees 20 on the review page and a note that more wait', async () => {
    const who = await person(server(), 'Popular');
    // From 25 tenants: one tenant may keep only a few invitations pending for one address (INVITATION_PENDING_PER_EMAIL).
    for (let i = 0; i < 25; i++) {
      const tenantId = (await server().tessera.tenants.create(backend, { name: `Busy ${i}` })).id;
      await server().tessera.invitations.create(backend, tenantId, {
        roles: ['tenant-user'],
        deliver: 'none',
        email: who.email,
      });
    }
    const { page } = await pageAfterSignIn(server(), who, { scope: 'openid' });
    assert.match(page.html, /You have invitations/);
    assert.equal([...page.html.matchAll(/name="invitation_id"/g)].length, REVIEW_PAGE_SIZE);
    assert.match(page.html, /More invitations are waiting/);
  });
});
