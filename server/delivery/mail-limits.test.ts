// Tessera cannot be used to mail anyone: limits per recipient and per sender, a cap on self-service
// tenants, and on pending invitations bound to one address. Counted in the database, so every instance shares them.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as oidc from 'openid-client';
import { apiClient, type Reply } from '../../test/support/api.js';
import { describeWithServer } from '../../test/support/server.js';
import { clientToken, firstPartyApp, person, userToken } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';
import { OutboxMessage } from '../db/entities/index.js';

const LIMITS = {
  TENANT_SELF_SERVICE: 'true',
  TENANT_SELF_SERVICE_MAX: '2',
  MAIL_PER_RECIPIENT_PER_HOUR: '3',
  MAIL_PER_SENDER_PER_HOUR: '5',
  INVITATION_PENDING_PER_EMAIL: '2',
};

describeWithServer(
  'limits on mailing people',
  (server) => {
    const api = apiClient(server);
    let manage: string;

    before(async () => {
      manage = await clientToken(server(), { manage: true });
    });

    const address = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const mailsTo = (recipient: string) => server().db.read((m) => m.countBy(OutboxMessage, { recipient }));
    const invite = (token: string, tenantId: string, body: Record<string, unknown>) =>
      api.call('POST', `/api/tenants/${tenantId}/invitations/tokens`, token, body);
    const byEmail = (email: string) => ({ deliver: 'email', email });

    test('a self-service person creating 5 tenants at once gets 2 and three 409 tenant_limit_reached; deleting one frees no place', async () => {
      const token = await userToken(server(), await person(server(), 'Mallory'));
      const replies = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          api.call<{ id: string; error?: string }>('POST', '/api/tenants', token, { name: `Mallory ${i}` }),
        ),
      );
      assert.deepEqual(replies.map((r) => r.status).sort(), [201, 201, 409, 409, 409]);
      for (const r of replies.filter((x) => x.status === 409)) assert.equal(r.body.error, 'tenant_limit_reached');
      const created = replies.find((r) => r.status === 201)!;
      assert.equal((await api.call('DELETE', `/api/tenants/${created.body.id}`, token)).status, 204);
      assert.equal((await api.call('POST', '/api/tenants', token, { name: 'Mallory again' })).status, 409);
    });

    test('invitation mails to one address stop at its hourly limit across tenants: the next is 429 and queues nothing', async () => {
      const victim = address('victim');
      const [first, second] = [await api.tenantWith(manage, 'Sender One'), await api.tenantWith(manage, 'Sender Two')];
      for (const tenantId of [first, first, second])
        assert.equal((await invite(manage, tenantId, byEmail(victim))).status, 201);
      const refused = await invite(manage, second, byEmail(victim));
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error, 'recipient_mail_limit');
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.equal(await mailsTo(victim), 3);
    });

    test("one sender's invitation mails stop at the sender limit, whatever the addresses", async () => {
      const sender = await clientToken(server(), { manage: true });
      const tenantId = await api.tenantWith(sender, 'Bulk Sender');
      for (let i = 0; i < 5; i++)
        assert.equal((await invite(sender, tenantId, byEmail(address(`person${i}`)))).status, 201);
      const sixth = address('sixth');
      const refused = await invite(sender, tenantId, byEmail(sixth));
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error, 'sender_mail_limit');
      assert.equal(await mailsTo(sixth), 0);
      // The limit is the sender's: another admin may still invite that address.
      assert.equal((await invite(manage, tenantId, byEmail(sixth))).status, 201);
    });

    test('a third pending invitation bound to one address in one tenant is 409 too_many_pending; revoking one makes room', async () => {
      const tenantId = await api.tenantWith(manage, 'Pending Co');
      const bound = { deliver: 'none', email: address('bound') };
      const created: Reply<{ id?: string }>[] = [
        await invite(manage, tenantId, bound),
        await invite(manage, tenantId, bound),
      ];
      const third = await invite(manage, tenantId, bound);
      assert.equal(third.status, 409);
      assert.equal(third.body.error, 'too_many_pending');
      assert.equal(
        (await api.call('DELETE', `/api/tenants/${tenantId}/invitations/tokens/${created[0]!.body.id}`, manage)).status,
        204,
      );
      assert.equal((await invite(manage, tenantId, bound)).status, 201);
    });

    test('registering an existing address again and again mails its owner only up to the limit, and every answer is the same', async () => {
      const owner = address('owner');
      const register = async (): Promise<Page> => {
        const rp = await firstPartyApp(server());
        const browser = new UserAgent(server().url);
        const url = oidc.buildAuthorizationUrl(rp, {
          redirect_uri: `${server().url}/app/callback`,
          scope: 'openid',
          code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        });
        const login = await browser.follow(url.href);
        const form = await browser.follow(
          new URL(/href="(\/interaction\/[^"]+\/register)"/.exec(login.html)![1]!, server().url).href,
        );
        return browser.submit(form, /\/register$/, {
          name: 'Olive',
          email: owner,
          password: 'correct horse battery staple',
        });
      };
      const pages = [];
      for (let i = 0; i < 6; i++) pages.push(await register());
      for (const page of pages) {
        assert.equal(page.status, pages[0]!.status);
        assert.match(page.html, /Check your inbox/);
      }
      assert.equal(await mailsTo(owner), 3, 'one verification, two notices, then silence');
    });
  },
  LIMITS,
);
