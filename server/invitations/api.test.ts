// The Management API for invitations, through HTTP with real tokens, on each database.
// Redemption rules, races and the pages themselves are covered by redemption.test.ts and pages.test.ts;
// here: what the API creates, shows, hides, revokes and resends, who may call it, and its quota.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Invitation, OutboxMessage } from '../db/entities/index.js';
import { createClient } from '../oidc/clients.js';
import { insertMembership } from '../tenants/service.js';
import { apiClient, type Reply } from '../../test/support/api.js';
import { newPhoneNumber } from '../../test/support/phones.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, person, userToken } from '../../test/support/tokens.js';
import { UserAgent } from '../../test/support/user-agent.js';
import type { IssuedInvitation } from './service.js';
import { verifyInvitationToken } from './token.js';

type View = IssuedInvitation & { error?: string; error_description?: string };

interface Listing {
  items: View[];
  next_cursor: string | null;
  error?: string;
}

const DAY_MS = 24 * 3600 * 1000;

/** MySQL's DATETIME keeps whole seconds (SQLite keeps milliseconds): compare times to the second. */
const toSecond = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const atSecond = <T extends { created_at: string; expires_at: string }>(view: T) => ({
  ...view,
  created_at: toSecond(view.created_at),
  expires_at: toSecond(view.expires_at),
});

/** The HTTP helpers both suites use: JSON calls, tenants with members, and the outbox. */
function helpers(server: () => TestServer) {
  const { call, tenantWith } = apiClient(server);
  const outboxTo = (recipient: string) =>
    server().db.read((m) => m.find(OutboxMessage, { where: { recipient }, order: { createdAt: 'ASC' } }));
  return { call: <T = View>(...args: Parameters<typeof call>) => call<T>(...args), tenantWith, outboxTo };
}

const linkIn = (text: string) => /https?:\/\/\S+\/tenants\/invitation-tokens\/[\w-]+\.[\w-]+\.[\w-]+/.exec(text)?.[0];

describeWithServer('Management API: invitations', (server: () => TestServer) => {
  const { call, tenantWith, outboxTo } = helpers(server);
  let manage: string;
  let plainClient: string;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let aliceToken: string;
  let bobToken: string;
  let carolToken: string;

  const base = (tenantId: string) => `/api/tenants/${tenantId}/invitations/tokens`;
  const create = (tenantId: string, body: Record<string, unknown> = {}, token = manage) =>
    call('POST', base(tenantId), token, body);
  const list = (tenantId: string, query = '', token = manage) =>
    call<Listing>('GET', `${base(tenantId)}${query}`, token);
  const open = (url: string) => new UserAgent(server().url).request(url);

  before(async () => {
    manage = await clientToken(server(), { manage: true });
    plainClient = await clientToken(server(), { manage: false });
    [alice, bob, carol] = await Promise.all([
      person(server(), 'Alice'),
      person(server(), 'Bob'),
      person(server(), 'Carol'),
    ]);
    [aliceToken, bobToken, carolToken] = await Promise.all([alice, bob, carol].map((p) => userToken(server(), p)));
  });

  test('create with defaults: 201, Location, pending, one use, tenant-user, 7 days, and the token and link once (deliver=none)', async () => {
    const tenantId = await tenantWith(manage, 'Defaults Inc');
    const before = Date.now();
    const res = await create(tenantId);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const inv = res.body;
    assert.equal(res.headers.get('location'), `${server().url}/api/tenants/${tenantId}/invitations/tokens/${inv.id}`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(inv.id, /^[0-9a-f-]{36}$/);
    assert.equal(inv.tenant_id, tenantId);
    assert.equal(inv.status, 'pending');
    assert.equal(inv.max_uses, 1);
    assert.equal(inv.use_count, 0);
    assert.deepEqual(inv.roles, ['tenant-user']);
    assert.equal(inv.delivery, 'none');
    assert.equal(inv.email, null);
    assert.equal(inv.notify_inviter, false);
    assert.deepEqual(inv.metadata, {});
    assert.match(inv.created_by, /^client:/);
    const expires = new Date(inv.expires_at).getTime();
    assert.ok(
      expires >= before + 7 * DAY_MS - 2000 && expires <= Date.now() + 7 * DAY_MS + 2000,
      `7 days: ${inv.expires_at}`,
    );
    assert.ok(inv.token, 'deliver=none returns the token');
    assert.equal(inv.url, `${server().url}/tenants/invitation-tokens/${inv.token}`);
    const claims = verifyInvitationToken(server().tessera.keys, server().url, inv.token!);
    assert.equal(claims.inv, inv.id);
    assert.equal(claims.tid, tenantId);
    assert.deepEqual(claims.roles, ['tenant-user']);
    assert.equal(claims.exp, Math.floor(expires / 1000));
    const page = await open(inv.url!);
    assert.equal(page.status, 303);
    assert.equal(page.location, `${server().url}/invitations/${inv.id}`);
  });

  test('deliver=email: no token or link for the admin, ever; the link goes to the address in the outbox', async () => {
    const tenantId = await tenantWith(manage, 'Mailing Inc', [alice]);
    const address = `Invitee-${crypto.randomUUID().slice(0, 8)}@Example.TEST`;
    const res = await create(tenantId, { email: address, deliver: 'email' }, aliceToken);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.ok(!('token' in res.body) && !('url' in res.body), 'no token or url in the response');
    assert.equal(res.body.email, address.toLowerCase());
    assert.equal(res.body.delivery, 'email');
    assert.equal(res.body.created_by, alice.id);

    const [mail, ...more] = await outboxTo(address.toLowerCase());
    assert.ok(mail, 'a message is queued to the address');
    assert.equal(more.length, 0);
    assert.equal(mail.channel, 'email');
    assert.equal(mail.status, 'queued');
    assert.match(mail.subject, /Alice invited you to join Mailing Inc/);
    const link = linkIn(mail.bodyText);
    assert.ok(link?.startsWith(`${server().url}/tenants/invitation-tokens/`), mail.bodyText);
    assert.ok(mail.bodyHtml?.includes(link!), 'the HTML body carries the same link');
    const token = link!.split('/').pop()!;
    assert.equal(verifyInvitationToken(server().tessera.keys, server().url, token).inv, res.body.id);
    const page = await open(link!);
    assert.equal(page.status, 303, 'the mailed link works');

    // The admin cannot read it back: not from one invitation, not from the listing, not by resending.
    const one = await call('GET', `${base(tenantId)}/${res.body.id}`, aliceToken);
    const all = await list(tenantId, '', aliceToken);
    const resent = await call('POST', `${base(tenantId)}/${res.body.id}/resend`, aliceToken);
    assert.equal(resent.status, 200, JSON.stringify(resent.body));
    for (const body of [one.body, ...all.body.items, resent.body]) {
      assert.ok(!('token' in body) && !('url' in body), JSON.stringify(body));
      assert.ok(!JSON.stringify(body).includes(token.split('.')[1]!), 'nothing of the token');
    }
    const mails = await outboxTo(address.toLowerCase());
    assert.equal(mails.length, 2, 'the resend mailed it again');
    // Both may carry the same created_at second on MySQL, so find the new one by its link, not by order.
    const newLink = mails.map((mail) => linkIn(mail.bodyText)).find((l) => l !== link);
    assert.ok(newLink && newLink !== link, 'a new link');
    assert.ok(
      !JSON.stringify(resent.body).includes(newLink.split('/').pop()!.split('.')[1]!),
      'nothing of the new token',
    );
  });

  test('deliver=sms needs a phone, queues an SMS with a short /i/ link, and the short link leads to the invitation', async () => {
    const tenantId = await tenantWith(manage, 'Texting Inc');
    const missing = await create(tenantId, { deliver: 'sms' });
    assert.equal(missing.status, 400);
    assert.match(String(missing.body.error_description), /phone/);
    assert.equal((await create(tenantId, { deliver: 'sms', phone: '0151 1234567' })).status, 400, 'no country');
    for (const phone of ['+49 000 0000000', '+49 900 1234567', '+1 800 555 0100', '+4915112345678 ext. 12']) {
      const refused = await create(tenantId, { deliver: 'sms', phone });
      assert.equal(refused.status, 400, `${phone}: no number, or one that costs or receives no SMS`);
      assert.equal(refused.body.error, 'invalid_request');
      assert.match(String(refused.body.error_description), /phone/);
    }

    const phone = newPhoneNumber();
    // As an admin types it: spaces and the 00 prefix; stored and texted as E.164.
    const typed = `0049 ${phone.slice(3, 6)} ${phone.slice(6)}`;
    const res = await create(tenantId, { deliver: 'sms', phone: typed });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.ok(!('token' in res.body) && !('url' in res.body), 'no token or url for an SMS invitation');
    assert.equal(res.body.phone, phone);
    const [sms] = await outboxTo(phone);
    assert.ok(sms, 'an SMS is queued to the phone');
    assert.equal(sms.channel, 'sms');
    assert.match(sms.bodyText, /Texting Inc/);
    const short = new RegExp(`${server().url.replace(/[.]/g, '\\.')}/i/([\\w-]{22})\\b`).exec(sms.bodyText);
    assert.ok(short, `a short link in: ${sms.bodyText}`);
    assert.ok(sms.bodyText.length <= 160, 'fits one SMS');
    assert.doesNotMatch(sms.bodyText, /invitation-tokens/);
    const stored = await server().db.read((m) => m.findOneByOrFail(Invitation, { id: res.body.id }));
    assert.ok(stored.handleHash && !stored.handleHash.includes(short[1]!), 'the handle is stored hashed');

    const browser = new UserAgent(server().url);
    const page = await browser.request(short[0]);
    assert.equal(page.status, 303);
    assert.equal(page.location, `${server().url}/invitations/${res.body.id}`);
    const landing = await browser.follow(page.location!);
    assert.equal(landing.status, 200);
    assert.match(landing.html, /You are invited to join Texting Inc/);
    assert.equal((await open(`/i/${'A'.repeat(22)}`)).status, 400, 'an unknown handle');
  });

  test('list by every status, each invitation in exactly one; use_count and max_uses returned with it', async () => {
    const tenantId = await tenantWith(manage, 'States Inc');
    // A different person for each use: someone who already has the roles counts no use.
    const [dave, erin, fay, gil, hal] = await Promise.all(
      ['Dave', 'Erin', 'Fay', 'Gil', 'Hal'].map((name) => person(server(), name)),
    );
    const made = async (body: Record<string, unknown> = {}) => {
      const res = await create(tenantId, body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    };
    const pending = await made();
    const accepted = await made();
    await server().tessera.redemption.accept({ token: accepted.token! }, dave.id);
    const declined = await made({ email: erin.email });
    await server().tessera.redemption.decline({ token: declined.token! }, erin.id);
    const expired = await made();
    await server().db.write((m) =>
      m.update(Invitation, { id: expired.id }, { expiresAt: new Date(Date.now() - 1000) }),
    );
    const revoked = await made();
    assert.equal((await call('DELETE', `${base(tenantId)}/${revoked.id}`, manage)).status, 204);
    const exhausted = await made({ max_uses: 2 });
    await server().tessera.redemption.accept({ token: exhausted.token! }, fay.id);
    await server().tessera.redemption.accept({ token: exhausted.token! }, gil.id);
    const partly = await made({ max_uses: 3 });
    await server().tessera.redemption.accept({ token: partly.token! }, hal.id);
    await server().tessera.redemption.accept({ token: partly.token! }, dave.id); // already a member: no use counted

    const expected: Record<string, string[]> = {
      pending: [pending.id, partly.id],
      accepted: [accepted.id],
      declined: [declined.id],
      expired: [expired.id],
      revoked: [revoked.id],
      exhausted: [exhausted.id],
    };
    for (const [status, ids] of Object.entries(expected)) {
      const res = await list(tenantId, `?status=${status}`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.items.map((i) => i.id).sort(), [...ids].sort(), status);
      assert.ok(
        res.body.items.every((i) => i.status === status),
        status,
      );
    }
    const all = await list(tenantId, '?limit=100');
    assert.equal(all.body.items.length, 7);
    const byId = new Map(all.body.items.map((i) => [i.id, i]));
    assert.deepEqual([byId.get(exhausted.id)!.use_count, byId.get(exhausted.id)!.max_uses], [2, 2]);
    assert.deepEqual(
      [byId.get(partly.id)!.use_count, byId.get(partly.id)!.max_uses, byId.get(partly.id)!.status],
      [1, 3, 'pending'],
    );
    assert.deepEqual([byId.get(accepted.id)!.use_count, byId.get(accepted.id)!.status], [1, 'accepted']);
    assert.ok(
      all.body.items.every((i) => !('token' in i) && !('url' in i)),
      'a listing never shows a token',
    );
    assert.equal((await list(tenantId, '?status=used')).status, 400);
  });

  test('list pagination: a cursor visits every invitation once, in a stable order, also with a status filter', async () => {
    const tenantId = await tenantWith(manage, 'Pages Inc');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(tenantId)).body.id);
    await call('DELETE', `${base(tenantId)}/${ids[2]}`, manage);
    const other = await tenantWith(manage, 'Other Pages Inc');
    await create(other);

    const walk = async (filter: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Reply<Listing> = await list(
          tenantId,
          `?limit=2${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        assert.equal(page.status, 200);
        assert.ok(page.body.items.length <= 2, 'at most limit items');
        seen.push(...page.body.items.map((i) => i.id));
        cursor = page.body.next_cursor;
        pages++;
      } while (cursor && pages < 10);
      return seen;
    };
    assert.deepEqual(await walk(''), [...ids].sort());
    assert.deepEqual(await walk('&status=pending'), ids.filter((_, i) => i !== 2).sort());
    const bad = await list(tenantId, '?cursor=bogus');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'invalid_cursor');
    assert.equal((await list(tenantId, '?limit=0')).status, 400);
    assert.equal((await list(tenantId, '?limit=101')).status, 400);
    assert.equal((await list(tenantId, '?offset=2')).status, 400);
  });

  test("GET one: the invitation as created, minus the token; 404 for another tenant's or an unknown id, 400 for a bad id", async () => {
    const tenantId = await tenantWith(manage, 'Reader Inc');
    const created = (await create(tenantId, { max_uses: 4, roles: ['tenant-user'], expires_in: 3600 })).body;
    const res = await call('GET', `${base(tenantId)}/${created.id}`, manage);
    assert.equal(res.status, 200);
    const { token: _t, url: _u, ...view } = created;
    assert.deepEqual(atSecond(res.body), atSecond(view));
    const other = await tenantWith(manage, 'Other Reader Inc');
    const foreign = await call('GET', `${base(other)}/${created.id}`, manage);
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error, 'invitation_not_found');
    assert.equal((await call('GET', `${base(tenantId)}/${crypto.randomUUID()}`, manage)).status, 404);
    assert.equal((await call('GET', `${base(tenantId)}/not-a-uuid`, manage)).status, 400);
    assert.equal(
      (await call('DELETE', `${base(other)}/${created.id}`, manage)).status,
      404,
      'no revoking across tenants',
    );
    assert.equal(
      (await call('POST', `${base(other)}/${created.id}/resend`, manage)).status,
      404,
      'no resending across tenants',
    );
    assert.equal((await call('GET', `${base(tenantId)}/${created.id}`, manage)).body.status, 'pending');
  });

  test('revoke: 204, status revoked, the link gives the "withdrawn" page; revoking again is harmless', async () => {
    const tenantId = await tenantWith(manage, 'Revoker Inc', [alice]);
    const created = (await create(tenantId, {}, aliceToken)).body;
    const res = await call('DELETE', `${base(tenantId)}/${created.id}`, aliceToken);
    assert.equal(res.status, 204);
    assert.equal((await call('GET', `${base(tenantId)}/${created.id}`, aliceToken)).body.status, 'revoked');
    const page = await open(created.url!);
    assert.equal(page.status, 410);
    assert.match(page.html, /This invitation was withdrawn/);
    assert.equal((await call('DELETE', `${base(tenantId)}/${created.id}`, aliceToken)).status, 204);
    assert.equal((await call('DELETE', `${base(tenantId)}/${crypto.randomUUID()}`, aliceToken)).status, 404);
    const again = await call('POST', `${base(tenantId)}/${created.id}/resend`, aliceToken);
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'not_pending');
  });

  test('resend: a new token under the same id; the old link gives the "replaced" page and the new one works', async () => {
    const tenantId = await tenantWith(manage, 'Resender Inc');
    const created = (await create(tenantId, { max_uses: 2 })).body;
    const res = await call('POST', `${base(tenantId)}/${created.id}/resend`, manage);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.body.id, created.id);
    assert.equal(res.body.status, 'pending');
    assert.ok(res.body.token && res.body.token !== created.token, 'a new token');
    assert.equal(res.body.url, `${server().url}/tenants/invitation-tokens/${res.body.token}`);
    assert.equal(
      toSecond(res.body.expires_at),
      toSecond(created.expires_at),
      'a resend does not extend the invitation',
    );
    const old = await open(created.url!);
    assert.equal(old.status, 410);
    assert.match(old.html, /This invitation link was replaced/);
    const fresh = await open(res.body.url!);
    assert.equal(fresh.status, 303);
    assert.equal(fresh.location, `${server().url}/invitations/${created.id}`);
    const dave = await person(server(), 'Dave');
    assert.equal((await server().tessera.redemption.accept({ token: res.body.token! }, dave.id)).outcome, 'joined');
  });

  test('resend of an invitation that is not pending is 409 not_pending: accepted, expired, declined', async () => {
    const tenantId = await tenantWith(manage, 'Not Pending Inc');
    const erin = await person(server(), 'Erin');
    const accepted = (await create(tenantId)).body;
    await server().tessera.redemption.accept({ token: accepted.token! }, erin.id);
    const expired = (await create(tenantId)).body;
    await server().db.write((m) =>
      m.update(Invitation, { id: expired.id }, { expiresAt: new Date(Date.now() - 1000) }),
    );
    const declined = (await create(tenantId, { email: erin.email })).body;
    await server().tessera.redemption.decline({ token: declined.token! }, erin.id);
    for (const [inv, status] of [
      [accepted, 'accepted'],
      [expired, 'expired'],
      [declined, 'declined'],
    ] as const) {
      const res = await call('POST', `${base(tenantId)}/${inv.id}/resend`, manage);
      assert.equal(res.status, 409, status);
      assert.equal(res.body.error, 'not_pending');
      assert.match(String(res.body.error_description), new RegExp(status));
    }
  });

  test('validation: 400 for malformed input naming the field, 422 for unknown roles and clients, never a 500', async () => {
    const tenantId = await tenantWith(manage, 'Validation Inc');
    const app = await createClient(server().db, {
      name: 'Invite App',
      redirectUris: ['https://app.example.test/welcome'],
    });
    const cases: [Record<string, unknown> | string, number, string | undefined, RegExp][] = [
      [{ expires_in: 30 * 86400 + 1 }, 400, undefined, /expires_in: at most 30 days/],
      [{ expires_in: 59 }, 400, undefined, /expires_in/],
      [{ expires_in: '3600' }, 400, undefined, /expires_in/],
      [{ max_uses: 0 }, 400, undefined, /max_uses/],
      [{ max_uses: 1001 }, 400, undefined, /max_uses/],
      [{ max_uses: 1.5 }, 400, undefined, /max_uses/],
      [{ roles: ['wizard'] }, 422, 'unknown_role', /wizard/],
      [{ roles: ['tenant-user', 'wizard'] }, 422, 'unknown_role', /wizard/],
      [{ roles: ['Not A Role'] }, 400, undefined, /roles/],
      [{ roles: 'tenant-user' }, 400, undefined, /roles/],
      [{ tenant_id: tenantId }, 400, undefined, /tenant_id/],
      [{ token: 'mine' }, 400, undefined, /token/],
      [{ email: 'not-an-email' }, 400, undefined, /email/],
      [{ email: `${'x'.repeat(320)}@example.test` }, 400, undefined, /email/],
      [{ deliver: 'email' }, 400, 'invalid_request', /email/],
      [{ deliver: 'pigeon' }, 400, undefined, /deliver/],
      [{ redirect_uri: 'https://app.example.test/welcome' }, 400, 'invalid_request', /client_id/],
      [
        { client_id: app.id, redirect_uri: 'https://evil.example.test/welcome' },
        422,
        'invalid_redirect_uri',
        /redirect_uri/,
      ],
      [{ client_id: app.id, redirect_uri: 'not a url' }, 400, undefined, /redirect_uri/],
      [{ client_id: 'no-such-client' }, 422, 'unknown_client', /no-such-client/],
      [{ metadata: { big: 'x'.repeat(17_000) } }, 400, undefined, /16 KiB/],
      [{ metadata: { ['k'.repeat(101)]: 1 } }, 400, undefined, /metadata/],
      [{ metadata: ['a'] }, 400, undefined, /metadata/],
      [{ locale: 'not a locale' }, 400, undefined, /locale/],
      [{ notify_inviter: 'yes' }, 400, undefined, /notify_inviter/],
      ['{"roles":', 400, 'invalid_json', /JSON/],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await create(tenantId, body as Record<string, unknown>);
      const label = `${JSON.stringify(body).slice(0, 60)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
      assert.equal(res.status, status, label);
      if (code) assert.equal(res.body.error, code, label);
      assert.match(String(res.body.error_description), message, label);
    }
    assert.equal((await list(tenantId)).body.items.length, 0, 'nothing was created');

    const longest = await create(tenantId, { expires_in: 30 * 86400 });
    assert.equal(longest.status, 201);
    assert.ok(
      Math.abs(new Date(longest.body.expires_at).getTime() - (Date.now() + 30 * DAY_MS)) < 5000,
      `30 days: ${longest.body.expires_at}`,
    );
    const registered = await create(tenantId, {
      client_id: app.id,
      redirect_uri: 'https://app.example.test/welcome',
      max_uses: 1000,
    });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    assert.deepEqual(
      [registered.body.client_id, registered.body.redirect_uri, registered.body.max_uses],
      [app.id, 'https://app.example.test/welcome', 1000],
    );
    const deduplicated = await create(tenantId, { roles: ['tenant-admin', 'tenant-user', 'tenant-admin'] });
    assert.deepEqual(deduplicated.body.roles, ['tenant-admin', 'tenant-user']);
  });

  test("a custom role from the catalogue may be granted; another tenant's or a removed one is unknown", async () => {
    const tenantId = await tenantWith(manage, 'Custom Roles Inc');
    assert.equal((await call('POST', `/api/tenants/${tenantId}/roles`, manage, { name: 'billing' })).status, 201);
    const res = await create(tenantId, { roles: ['billing'] });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.roles, ['billing']);
    const other = await tenantWith(manage, 'No Billing Inc');
    assert.equal(
      (await create(other, { roles: ['billing'] })).body.error,
      'unknown_role',
      "another tenant's catalogue does not count",
    );
    assert.equal((await call('DELETE', `/api/tenants/${tenantId}/roles/billing`, manage)).status, 204);
    const gone = await create(tenantId, { roles: ['billing'] });
    assert.equal(gone.status, 422);
    assert.equal(gone.body.error, 'unknown_role');
  });

  // Known bug (service.ts:63): checkTarget() runs before accessTo()/requireAdmin(), so anyone with an API token
  // learns which client ids exist and which redirect URIs they registered, on any tenant id, even one they cannot see.
  test('a caller without access learns nothing of clients: 404/403 before 422 unknown_client or invalid_redirect_uri', async () => {
    const tenantId = await tenantWith(manage, 'Enumeration Inc', [alice], [bob]);
    for (const body of [
      { client_id: 'no-such-client' },
      { deliver: 'email' },
      { redirect_uri: 'https://x.example.test/' },
    ]) {
      assert.equal((await create(tenantId, body, carolToken)).status, 404, `stranger ${JSON.stringify(body)}`);
      assert.equal(
        (await create(crypto.randomUUID(), body, carolToken)).status,
        404,
        `unknown tenant ${JSON.stringify(body)}`,
      );
      assert.equal((await create(tenantId, body, plainClient)).status, 404, `plain client ${JSON.stringify(body)}`);
      assert.equal((await create(tenantId, body, bobToken)).status, 403, `tenant-user ${JSON.stringify(body)}`);
    }
  });

  test('permissions: tenant-admin may, tenant-user 403, stranger 404, a client without tenants:manage 404, no token 401', async () => {
    const tenantId = await tenantWith(manage, 'Guarded Inc', [alice], [bob]);
    const inv = (await create(tenantId, {}, aliceToken)).body;
    assert.ok(inv.id, 'the tenant-admin may create');
    const calls: [string, string, unknown?][] = [
      ['POST', base(tenantId), {}],
      ['GET', base(tenantId)],
      ['GET', `${base(tenantId)}/${inv.id}`],
      ['DELETE', `${base(tenantId)}/${inv.id}`],
      ['POST', `${base(tenantId)}/${inv.id}/resend`],
    ];
    for (const [method, path, body] of calls) {
      const label = `${method} ${path}`;
      const asUser = await call(method, path, bobToken, body);
      assert.equal(asUser.status, 403, label);
      assert.equal(asUser.body.error, 'forbidden', label);
      assert.equal((await call(method, path, carolToken, body)).status, 404, label);
      assert.equal((await call(method, path, plainClient, body)).status, 404, label);
      const anonymous = await call(method, path, undefined, body);
      assert.equal(anonymous.status, 401, label);
      assert.equal(anonymous.body.error, 'invalid_token', label);
    }
    assert.equal(
      (await call('GET', `${base(tenantId)}/${inv.id}`, aliceToken)).body.status,
      'pending',
      'nobody else changed anything',
    );
    assert.equal((await list(tenantId)).body.items.length, 1);
    assert.equal((await create(crypto.randomUUID())).status, 404, 'an unknown tenant');
    assert.equal((await call('DELETE', `/api/tenants/${tenantId}`, manage)).status, 204);
    assert.equal((await list(tenantId)).status, 404, 'a deleted tenant');
    assert.equal((await create(tenantId)).status, 404);
  });

  test('metadata and locale round-trip through create, GET and the listing', async () => {
    const tenantId = await tenantWith(manage, 'Context Inc');
    const metadata = {
      plan: 'gold',
      seats: 5,
      nested: { tags: ['a', 'ü', null, true, 1.5], empty: {} },
      quote: 'it\'s "fine" <ok>',
    };
    const res = await create(tenantId, { metadata, locale: 'de-CH' });
    assert.equal(res.status, 201);
    const one = await call('GET', `${base(tenantId)}/${res.body.id}`, manage);
    const listed = (await list(tenantId)).body.items.find((i) => i.id === res.body.id)!;
    for (const view of [res.body, one.body, listed]) {
      assert.deepEqual(view.metadata, metadata);
      assert.equal(view.locale, 'de-CH');
    }
    const plain = (await create(tenantId)).body;
    assert.deepEqual([plain.metadata, plain.locale], [{}, null]);
  });

  test('notify_inviter: after someone accepts an invitation a person created, the inviter gets a mail', async () => {
    const tenantId = await tenantWith(manage, 'Notify Inc', [alice]);
    const [gus, hal] = await Promise.all([person(server(), 'Gus'), person(server(), 'Hal')]);
    const res = await create(tenantId, { notify_inviter: true, max_uses: 2 }, aliceToken);
    assert.equal(res.status, 201);
    assert.equal(res.body.notify_inviter, true);
    const before = (await outboxTo(alice.email)).length;
    await server().tessera.redemption.accept({ token: res.body.token! }, gus.id);
    const mails = await outboxTo(alice.email);
    assert.equal(mails.length, before + 1);
    const mail = mails.at(-1)!;
    assert.equal(mail.channel, 'email');
    assert.match(mail.subject, /Gus joined Notify Inc/);
    assert.match(mail.bodyText, /Gus accepted your invitation/);

    const quiet = (await create(tenantId, {}, aliceToken)).body;
    await server().tessera.redemption.accept({ token: quiet.token! }, hal.id);
    assert.equal((await outboxTo(alice.email)).length, before + 1, 'not asked for, no mail');
    assert.equal(
      await server().db.read((m) => m.countBy(OutboxMessage, { recipient: gus.email })),
      0,
      'nothing to the invitee',
    );
  });
});

describeWithServer(
  'Management API: invitation quota per tenant',
  (server: () => TestServer) => {
    const { call, tenantWith } = helpers(server);
    let manage: string;

    before(async () => {
      manage = await clientToken(server(), { manage: true });
    });

    test('the 4th create in an hour for one tenant is 429 with Retry-After; resend counts too; another tenant is unaffected', async () => {
      const busy = await tenantWith(manage, 'Busy Inc');
      const calm = await tenantWith(manage, 'Calm Inc');
      const base = (tenantId: string) => `/api/tenants/${tenantId}/invitations/tokens`;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await call('POST', base(busy), manage, {});
        assert.equal(res.status, 201, `create ${i + 1}`);
        ids.push(res.body.id);
      }
      const fourth = await call('POST', base(busy), manage, {});
      assert.equal(fourth.status, 429);
      assert.equal(fourth.body.error, 'too_many_requests');
      const retryAfter = Number(fourth.headers.get('retry-after'));
      assert.ok(
        Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600,
        `Retry-After: ${fourth.headers.get('retry-after')}`,
      );
      const resend = await call('POST', `${base(busy)}/${ids[0]}/resend`, manage);
      assert.equal(resend.status, 429, 'a resend also sends, so it counts');
      assert.ok(resend.headers.get('retry-after'), 'Retry-After on a refused resend');
      assert.equal(
        (await call<Listing>('GET', base(busy), manage)).body.items.length,
        3,
        'the refused create made nothing',
      );
      assert.equal((await call('GET', `${base(busy)}/${ids[0]}`, manage)).status, 200, 'reading is not limited');
      assert.equal((await call('DELETE', `${base(busy)}/${ids[1]}`, manage)).status, 204, 'revoking is not limited');
      assert.equal((await call('POST', base(calm), manage, {})).status, 201, 'another tenant has its own quota');
    });

    // Known bug (routes.ts:28 and :56): the quota is consumed before the caller's access is checked, so a stranger,
    // a tenant-user or a client without tenants:manage can spend a tenant's quota with refused calls and lock its admins out.
    test("refused callers do not spend a tenant's quota", async () => {
      const tenantId = await tenantWith(manage, 'Targeted Inc');
      const [bob, carol] = await Promise.all([person(server(), 'Bob'), person(server(), 'Carol')]);
      await server().db.transaction((m) => insertMembership(m, tenantId, bob.id, ['tenant-user'], null));
      const [bobToken, carolToken, plainClient] = await Promise.all([
        userToken(server(), bob),
        userToken(server(), carol),
        clientToken(server(), { manage: false }),
      ]);
      const path = `/api/tenants/${tenantId}/invitations/tokens`;
      for (const [token, status] of [
        [carolToken, 404],
        [bobToken, 403],
        [plainClient, 404],
        [carolToken, 404],
      ] as const) {
        assert.equal((await call('POST', path, token, {})).status, status);
      }
      assert.equal((await call('POST', path, manage, {})).status, 201, "the tenant's own quota is untouched");
    });
  },
  { INVITATION_QUOTA_PER_HOUR: '3' },
);
