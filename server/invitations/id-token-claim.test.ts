// The `invitation` claim and the invitation.accepted event, on each database, with openid-client as the app:
// the ID token of the code exchange that ends a flow where an invitation was accepted says which one, once;
// the refreshed ID token and the next sign-in do not; the event carries the same.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as oidc from 'openid-client';
import { WebhookEvent } from '../db/entities/index.js';
import type { Caller } from '../tenants/access.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { person, signIn } from '../../test/support/tokens.js';
import { UserAgent } from '../../test/support/user-agent.js';
import type { InvitationClaimValue } from './id-token-claim.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };
const metadata = { plan: 'team', seat: 7 };

describeWithServer('the invitation claim and the invitation.accepted event', (server: () => TestServer) => {
  let tenantId: string;

  before(async () => {
    tenantId = (await server().tessera.tenants.create(backend, { name: 'Hooli' })).id;
    await server().tessera.webhooks.service.create(
      { kind: 'operator', actor: 'cli' },
      { url: 'http://127.0.0.1:9/hooks', events: ['invitation.accepted'] },
    );
  });

  const invite = () =>
    server().tessera.invitations.create(backend, tenantId, { roles: ['tenant-user'], deliver: 'none', metadata });

  test('the ID token of the flow that accepted the invitation carries {id, tenant_id, metadata}; the refreshed one and the next sign-in do not', async () => {
    const gil = await person(server(), 'Gil');
    const { id, token } = await invite();
    const browser = new UserAgent(server().url);
    const { tokens, rp } = await signIn(server(), gil, {
      browser,
      scope: 'openid email offline_access',
      params: { invitation: token!, prompt: 'consent' },
      onPage: (page) =>
        /\/invitation"/.test(page.html)
          ? browser.submit(page, /\/invitation$/, { decision: 'accept' })
          : browser.submit(page, /\/consent$/),
    });
    const claim = tokens.claims()!.invitation as InvitationClaimValue | undefined;
    assert.deepEqual(claim, { id, tenant_id: tenantId, metadata });
    assert.ok(tokens.refresh_token, 'offline_access gave a refresh token');
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    assert.ok(refreshed.id_token, 'the refresh issued an ID token');
    assert.equal(refreshed.claims()!.invitation, undefined, 'not in the refreshed ID token');
    const again = await signIn(server(), gil, { browser });
    assert.equal(again.tokens.claims()!.invitation, undefined, 'not in a later sign-in');
  });

  test('a flow that declined (or skipped) the invitation gives no claim', async () => {
    const hal = await person(server(), 'Hal');
    const { token } = await invite();
    const browser = new UserAgent(server().url);
    const { tokens } = await signIn(server(), hal, {
      browser,
      params: { invitation: token! },
      onPage: (page) => browser.submit(page, /\/invitation$/, { decision: 'decline' }),
    });
    assert.equal(tokens.claims()!.invitation, undefined);
  });

  test('invitation.accepted carries the same invitation (id, tenant_id, metadata) and the account that accepted it', async () => {
    const ivy = await person(server(), 'Ivy');
    const { id, token } = await invite();
    const browser = new UserAgent(server().url);
    const { tokens } = await signIn(server(), ivy, {
      browser,
      params: { invitation: token! },
      onPage: (page) => browser.submit(page, /\/invitation$/, { decision: 'accept' }),
    });
    const events = await server().db.read((m) => m.findBy(WebhookEvent, { type: 'invitation.accepted' }));
    const payload = events
      .map((e) => JSON.parse(e.payload) as { data: Record<string, unknown> })
      .find((p) => p.data.invitation_id === id);
    assert.ok(payload, 'an invitation.accepted event for it');
    assert.deepEqual(payload.data.invitation, { id, tenant_id: tenantId, metadata });
    assert.equal(payload.data.account_id, tokens.claims()!.sub);
  });
});
