// Three Tessera instances, one per Galera node (scripts/galera/cluster.sh), behind one issuer: what one
// node writes another must see, and the rules that hold on one MariaDB hold across the cluster, where
// concurrent transactions on different nodes conflict at commit (certification, error 1213).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as oidc from 'openid-client';
import { Invitation, Membership, MembershipRole } from '../../server/db/entities/index.js';
import { AppError } from '../../server/errors.js';
import { InvitationRefused } from '../../server/invitations/redemption.js';
import type { Caller } from '../../server/tenants/access.js';
import { TENANT_ADMIN } from '../../server/tenants/access.js';
import { MembershipService } from '../../server/tenants/memberships.js';
import { insertMembership } from '../../server/tenants/service.js';
import { describeOnGalera, type GaleraNode } from '../support/galera.js';
import { person, signIn } from '../support/tokens.js';
import { fetchWithin } from '../support/waits.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };

/** A refusal is a 4xx AppError or a refused invitation; anything else (a 5xx, a driver error) is a failure. */
function isRefusal(reason: unknown): boolean {
  return (reason instanceof AppError && reason.status < 500) || reason instanceof InvitationRefused;
}

interface Admin {
  caller: Caller;
  membershipId: string;
}

const newAccount = (node: GaleraNode) =>
  node.tessera.accounts
    .createAccount({
      email: `p-${crypto.randomUUID().slice(0, 8)}@example.test`,
      name: 'P',
      password: 'long enough passphrase',
      verified: true,
    })
    .then((a) => a.id);

describeOnGalera('Tessera on a three-node Galera cluster', (cluster) => {
  const nodes = () => cluster().nodes;

  test('three instances that start at the same moment on an empty database publish the same keys', async () => {
    const jwks = await Promise.all(nodes().map(async (n) => (await fetchWithin(`${n.direct}/jwks`)).text()));
    assert.ok(JSON.parse(jwks[0]!).keys.length > 0);
    assert.equal(jwks[1], jwks[0], 'node 2 publishes node 1 keys');
    assert.equal(jwks[2], jwks[0], 'node 3 publishes node 1 keys');
  });

  test('a code issued through node 1 is redeemed through node 2, and its access token works on node 3', async () => {
    cluster().route = (path) => (path.startsWith('/token') ? 1 : 0);
    try {
      const ada = await person(nodes()[0]!, 'Ada');
      const { tokens, rp } = await signIn(nodes()[0]!, ada, { scope: 'openid email' });
      cluster().route = () => 2;
      const info = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
      assert.equal(info.email, ada.email);
    } finally {
      cluster().route = () => 0;
    }
  });

  test('one refresh token presented to all three nodes at once (twice each): exactly one new token, no 5xx', async () => {
    const { tokens, rp } = await signIn(nodes()[0]!, await person(nodes()[0]!, 'Bea'), { scope: 'openid email' });
    const { client_id, client_secret } = rp.clientMetadata();
    const answers = await Promise.all(
      [...nodes(), ...nodes()].map(async (n) => {
        const res = await fetchWithin(`${n.direct}/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${btoa(`${client_id}:${String(client_secret)}`)}`,
          },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
        });
        return { status: res.status, body: (await res.json()) as { error?: string } };
      }),
    );
    const statuses = JSON.stringify(answers.map((a) => a.status));
    assert.equal(answers.filter((a) => a.status === 200).length, 1, `exactly one success: ${statuses}`);
    for (const a of answers.filter((x) => x.status !== 200)) assert.equal(a.body.error, 'invalid_grant', statuses);
  });

  test('30 accounts accept a 5-use invitation at once through three nodes: exactly 5 join, the rest are refused, no 5xx', async () => {
    const [one] = nodes();
    const tenantId = (await one!.tessera.tenants.create(backend, { name: 'Capped' })).id;
    const issued = await one!.tessera.invitations.create(backend, tenantId, {
      roles: ['tenant-user'],
      deliver: 'none',
      maxUses: 5,
    });
    const people = await Promise.all(Array.from({ length: 30 }, (_, i) => newAccount(nodes()[i % 3]!)));
    const results = await Promise.allSettled(
      people.map((p, i) => nodes()[i % 3]!.tessera.redemption.accept({ token: issued.token! }, p)),
    );
    const failures = results.flatMap((r) =>
      r.status === 'rejected' && !isRefusal(r.reason) ? [String(r.reason)] : [],
    );
    assert.deepEqual(failures, [], 'no accept fails with a server error');
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5, 'exactly five accepts succeed');
    for (const [i, node] of nodes().entries()) {
      assert.equal(await node.db.read((m) => m.countBy(Membership, { tenantId })), 5, `node ${i + 1}: members`);
      const { useCount } = await node.db.read((m) => m.findOneByOrFail(Invitation, { id: issued.id }));
      assert.equal(useCount, 5, `node ${i + 1}: uses`);
    }
  });

  test('two admins demote each other through different nodes at once, 10 times: a tenant-admin always remains', async () => {
    const [one, two, three] = nodes();
    const services = nodes().map((n) => new MembershipService(n.db));
    for (let round = 0; round < 10; round++) {
      const tenantId: string = (await one!.tessera.tenants.create(backend, { name: `Two admins ${round}` })).id;
      const [a, b] = await Promise.all(
        [0, 1].map(async (): Promise<Admin> => {
          const accountId = await newAccount(one!);
          const membership = await one!.db.transaction((m) =>
            insertMembership(m, tenantId, accountId, [TENANT_ADMIN], null),
          );
          const caller: Caller = { kind: 'user', accountId, scopes: new Set(['tenants:admin']) };
          return { caller, membershipId: membership.id };
        }),
      );
      const results = await Promise.allSettled([
        services[0]!.setRoles(a!.caller, tenantId, b!.membershipId, ['tenant-user']),
        services[1]!.setRoles(b!.caller, tenantId, a!.membershipId, ['tenant-user']),
      ]);
      const failures = results.flatMap((r) =>
        r.status === 'rejected' && !isRefusal(r.reason) ? [String(r.reason)] : [],
      );
      assert.deepEqual(failures, [], `round ${round}: no server error`);
      assert.ok(
        results.some((r) => r.status === 'fulfilled'),
        `round ${round}: one of the two changes goes through`,
      );
      for (const [i, node] of [one!, two!, three!].entries()) {
        const left = await node.db.read((m) => m.countBy(MembershipRole, { tenantId, role: TENANT_ADMIN }));
        assert.ok(left >= 1, `round ${round}, read on node ${i + 1}: the tenant has no tenant-admin left`);
      }
    }
  });
});
