// The fault test: node 3 of the cluster is SIGKILLed under a bounded load on all three instances, then
// started again. Clients of the other two instances may stall while the cluster evicts the dead node but
// see no errors; clients of node 3's instance get fast 503s; nothing acknowledged is lost; the invitation's
// cap holds; node 3's instance serves again once its node rejoined, without a restart. Prints its counts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Invitation, Membership, Tenant } from '../../server/db/entities/index.js';
import { AppError } from '../../server/errors.js';
import { InvitationRefused } from '../../server/invitations/redemption.js';
import type { Caller } from '../../server/tenants/access.js';
import { clusterProblem, clusterScript, describeOnGalera, type GaleraNode, waitForCluster } from '../support/galera.js';
import { clientToken } from '../support/tokens.js';

const backend: Caller = { kind: 'client', clientId: 'backend', manage: true };
const CLIENTS_PER_INSTANCE = 3;
const MAX_ROUNDS_PER_CLIENT = 250; // bounds the requests: at most 3 × 3 × 250 rounds of two operations
const CAP = 60;
const ACCOUNTS = 150;
/** One round in this many also accepts the invitation, so that accepts go on through the kill and past the cap. */
const ACCEPT_EVERY = 10;
/** A 503 counts as fast when it comes within this; a request on the healthy nodes may stall at most this long. */
const FAST_503_MS = 3000;
const STALL_LIMIT_MS = 15_000;
const KILLED = 3;

type Outcome = 'ok' | 'refused' | '503' | 'other 5xx' | 'error';

interface Tally {
  counts: Map<string, number>;
  slowest: number;
  slowest503: number;
  count503: number;
  unexpected: string[];
}

const tally = (): Tally => ({ counts: new Map(), slowest: 0, slowest503: 0, count503: 0, unexpected: [] });

function record(t: Tally, kind: string, outcome: Outcome, ms: number, detail: string) {
  const key = `${kind} ${outcome}`;
  t.counts.set(key, (t.counts.get(key) ?? 0) + 1);
  t.slowest = Math.max(t.slowest, ms);
  if (outcome === '503') {
    t.slowest503 = Math.max(t.slowest503, ms);
    t.count503++;
  }
  if (outcome === 'other 5xx' || outcome === 'error') t.unexpected.push(`${kind}: ${detail}`.slice(0, 300));
}

describeOnGalera('a Galera node killed under load', (cluster) => {
  let manage: string;
  let tenantId: string;
  let invitation: { id: string; token: string };
  let accounts: string[];

  before(async () => {
    const one = cluster().nodes[0]!;
    manage = await clientToken(one, { manage: true });
    tenantId = (await one.tessera.tenants.create(backend, { name: 'Under load' })).id;
    const issued = await one.tessera.invitations.create(backend, tenantId, {
      roles: ['tenant-user'],
      deliver: 'none',
      maxUses: CAP,
    });
    invitation = { id: issued.id, token: issued.token! };
    accounts = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const node = cluster().nodes[i % 3]!;
      const account = await node.tessera.accounts.createAccount({
        email: `load-${i}-${crypto.randomUUID().slice(0, 6)}@example.test`,
        name: `Load ${i}`,
        password: 'long enough passphrase',
        verified: true,
      });
      accounts.push(account.id);
    }
  });

  // Whatever happened, the next run finds three nodes.
  after(async () => {
    if (await clusterProblem()) {
      await clusterScript('start', String(KILLED)).catch(() => {});
      await waitForCluster();
    }
  });

  test(`node ${KILLED} SIGKILLed and restarted under load: no errors elsewhere, fast 503s on its instance, nothing acknowledged lost, cap held, its instance serves again`, {
    timeout: 240_000,
  }, async (context) => {
    const nodes = cluster().nodes;
    const tallies = nodes.map(tally);
    const joined: string[] = [];
    const created: string[] = [];
    let stop = false;
    let next = 0;

    /** One HTTP write (a tenant, through the Management API) and one invitation accept, on one instance. */
    async function round(node: GaleraNode, t: Tally, accept: boolean): Promise<void> {
      let started = Date.now();
      try {
        const res = await fetch(`${node.direct}/api/tenants`, {
          method: 'POST',
          headers: { authorization: `Bearer ${manage}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Load ${crypto.randomUUID().slice(0, 8)}` }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await res.json().catch(() => ({}))) as { id?: string };
        const outcome: Outcome =
          res.status === 201 ? 'ok' : res.status === 503 ? '503' : res.status >= 500 ? 'other 5xx' : 'refused';
        if (outcome === 'ok' && body.id) created.push(body.id);
        record(t, 'POST /api/tenants', outcome, Date.now() - started, `${res.status} ${JSON.stringify(body)}`);
      } catch (error) {
        record(t, 'POST /api/tenants', 'error', Date.now() - started, String(error));
      }
      const accountId = accept ? accounts[next++] : undefined;
      if (!accountId) return;
      started = Date.now();
      try {
        const result = await node.tessera.redemption.accept({ token: invitation.token }, accountId);
        if (result.outcome === 'joined') joined.push(accountId);
        record(t, 'accept', 'ok', Date.now() - started, result.outcome);
      } catch (error) {
        const outcome: Outcome =
          error instanceof InvitationRefused
            ? 'refused'
            : error instanceof AppError
              ? error.status === 503
                ? '503'
                : error.status >= 500
                  ? 'other 5xx'
                  : 'refused'
              : 'error';
        record(t, 'accept', outcome, Date.now() - started, String(error));
      }
    }

    const clients = nodes.flatMap((node, i) =>
      Array.from({ length: CLIENTS_PER_INSTANCE }, async () => {
        for (let r = 0; r < MAX_ROUNDS_PER_CLIENT && !stop; r++) {
          const before503 = tallies[i]!.count503;
          await round(node, tallies[i]!, r % ACCEPT_EVERY === 0);
          // A client told "unavailable" backs off a little, as a real one (or its load balancer) would.
          await sleep(tallies[i]!.count503 > before503 ? 200 : 20);
        }
      }),
    );

    const t0 = Date.now();
    const events: string[] = [];
    const mark = (what: string) => events.push(`${((Date.now() - t0) / 1000).toFixed(1)} s ${what}`);
    try {
      await sleep(2000);
      mark((await clusterScript('kill', String(KILLED))).trim());
      await sleep(6000);
      // A load balancer routing on /readyz takes node 3's instance out and keeps the others.
      const ready = await Promise.all(
        nodes.map(async (n) => (await fetch(`${n.direct}/readyz`, { signal: AbortSignal.timeout(10_000) })).status),
      );
      mark(`/readyz answers ${ready.join('/')}`);
      assert.deepEqual(ready, [200, 200, 503], '/readyz on instances 1/2/3 while node 3 is down');
      mark('starting the node again');
      mark((await clusterScript('start', String(KILLED))).trim());
      await waitForCluster();
      mark('cluster of three ready');
      // Node 3's instance serves again without a restart: a write through it succeeds (bounded wait).
      const until = Date.now() + 30_000;
      for (;;) {
        const res = await fetch(`${nodes[KILLED - 1]!.direct}/api/tenants`, {
          method: 'POST',
          headers: { authorization: `Bearer ${manage}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'After the rejoin' }),
          signal: AbortSignal.timeout(10_000),
        });
        if (res.status === 201) break;
        assert.ok(
          Date.now() < until,
          `node ${KILLED}'s instance still answers ${res.status} 30 s after its node rejoined`,
        );
        await sleep(250);
      }
      mark(`node ${KILLED}'s instance serves again`);
      await sleep(2000);
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    mark('load stopped');

    // What every node holds after the rejoin.
    const found = await Promise.all(
      nodes.map(async (node) => ({
        members: new Set((await node.db.read((m) => m.findBy(Membership, { tenantId }))).map((row) => row.accountId)),
        tenants: new Set((await node.db.read((m) => m.find(Tenant))).map((row) => row.id)),
        uses: (await node.db.read((m) => m.findOneByOrFail(Invitation, { id: invitation.id }))).useCount,
      })),
    );

    const lines = [
      `fault test: node ${KILLED} SIGKILLed under load, ${CLIENTS_PER_INSTANCE} clients per instance`,
      ...events.map((e) => `  ${e}`),
      ...nodes.map((_, i) => {
        const t = tallies[i]!;
        const counts = [...t.counts].sort().map(([k, v]) => `${k}: ${v}`);
        const total = [...t.counts.values()].reduce((a, b) => a + b, 0);
        return `  instance ${i + 1}: ${total} requests; ${counts.join(', ')}; slowest ${t.slowest} ms${t.slowest503 ? `, slowest 503 ${t.slowest503} ms` : ''}`;
      }),
      `  joins acknowledged: ${joined.length} (cap ${CAP}); found on nodes 1/2/3: ${found.map((f) => joined.filter((id) => f.members.has(id)).length).join('/')}; members on nodes: ${found.map((f) => f.members.size).join('/')}; use count: ${found.map((f) => f.uses).join('/')}`,
      `  tenants acknowledged: ${created.length}; found on nodes 1/2/3: ${found.map((f) => created.filter((id) => f.tenants.has(id)).length).join('/')}`,
    ];
    // As diagnostics, so the counts appear in every run's report (CI's included), not only in a terminal.
    for (const line of lines) context.diagnostic(line);

    for (const [i, t] of tallies.entries()) {
      assert.deepEqual(t.unexpected.slice(0, 5), [], `instance ${i + 1}: no errors other than 503`);
      if (i !== KILLED - 1) {
        const failures = [...t.counts].filter(([k]) => k.endsWith(' 503'));
        assert.deepEqual(failures, [], `instance ${i + 1} (its node stayed up): no 503s`);
        assert.ok(t.slowest < STALL_LIMIT_MS, `instance ${i + 1}: at most a short stall, slowest ${t.slowest} ms`);
      }
    }
    const dead = tallies[KILLED - 1]!;
    assert.ok(
      dead.slowest503 < FAST_503_MS,
      `the 503s of node ${KILLED}'s instance are fast: slowest ${dead.slowest503} ms`,
    );
    for (const [i, f] of found.entries()) {
      assert.deepEqual(
        joined.filter((id) => !f.members.has(id)),
        [],
        `node ${i + 1}: every acknowledged join is a membership`,
      );
      assert.deepEqual(
        created.filter((id) => !f.tenants.has(id)),
        [],
        `node ${i + 1}: every acknowledged tenant exists`,
      );
      assert.ok(f.members.size <= CAP, `node ${i + 1}: ${f.members.size} members, cap ${CAP}`);
      assert.equal(f.uses, f.members.size, `node ${i + 1}: the use count matches the members`);
    }
  });
});
