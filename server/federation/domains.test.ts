// Verified domains through the Management API, on each database: claiming, DNS verification against a
// DNS stub on loopback (right record, wrong record, none, no answer), one owner per verified domain, the
// join policy, removal, and who may do any of it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ConfigError, loadConfig } from '../config.js';
import { AuditEvent } from '../db/entities/index.js';
import { apiClient } from '../../test/support/api.js';
import { startDnsStub } from '../../test/support/dns-stub.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, type Person, person, userToken } from '../../test/support/tokens.js';
import { domainOfEmail, type DomainView, normaliseDomain, RECORD_VALUE_PREFIX } from './domains.js';
import { dnsTxtLookup } from './domains-dns.js';

const dns = await startDnsStub();
after(() => dns.close());

type Reply = DomainView & { error?: string; error_description?: string };

describe('domain names', () => {
  test('are normalised: lower case, punycode, no trailing dot, surrounding space trimmed', () => {
    assert.equal(normaliseDomain('Example.COM.'), 'example.com');
    assert.equal(normaliseDomain('  bücher.example '), 'xn--bcher-kva.example');
    assert.equal(normaliseDomain('xn--bcher-kva.example'), 'xn--bcher-kva.example');
    assert.equal(normaliseDomain('sub.Example.co.uk'), 'sub.example.co.uk');
  });

  test('anything that is not a host name of two labels or more is refused', () => {
    for (const bad of [
      '',
      'com',
      'localhost',
      '10.0.0.1',
      '[::1]',
      'a..b',
      '-a.com',
      'a-.com',
      'exa mple.com',
      'user@example.com',
      'example.com/x',
      'http://example.com',
      'example.123',
      `${'a'.repeat(64)}.com`,
    ])
      assert.equal(normaliseDomain(bad), undefined, bad);
  });

  test("an e-mail address's domain is what follows its last @, normalised", () => {
    assert.equal(domainOfEmail('Sue@Wayne.Example'), 'wayne.example');
    assert.equal(domainOfEmail('"a@b"@Bücher.Example'), 'xn--bcher-kva.example');
    assert.equal(domainOfEmail('no-at-sign'), undefined);
  });
});

describe('the DNS settings', () => {
  test('DNS_SERVERS takes addresses with or without a port; anything else stops the start naming the variable', () => {
    const base = { NODE_ENV: 'test' };
    assert.deepEqual(loadConfig({ ...base }).dns.servers, []);
    assert.deepEqual(loadConfig({ ...base, DNS_SERVERS: '10.0.0.2, 127.0.0.1:5353,[::1]:53,::1' }).dns.servers, [
      '10.0.0.2',
      '127.0.0.1:5353',
      '[::1]:53',
      '::1',
    ]);
    for (const bad of ['dns.example.com', '10.0.0.2:99999', '1.2.3', '127.0.0.1:'])
      assert.throws(
        () => loadConfig({ ...base, DNS_SERVERS: bad }),
        (error: ConfigError) => {
          assert.match(error.message, /DNS_SERVERS: expected a comma-separated list of DNS server addresses/);
          return true;
        },
      );
  });
});

describe('the TXT lookup', () => {
  test('joins a record split into 255-byte strings, says "missing" for no record, "failed" when DNS does not answer', async () => {
    const lookup = dnsTxtLookup({ servers: [dns.address], timeoutMs: 2000 });
    const long = `${RECORD_VALUE_PREFIX}${'x'.repeat(400)}`;
    dns.setTxt('_long.example.test', [long]);
    assert.deepEqual(await lookup('_long.example.test'), { found: [long] });
    assert.deepEqual(await lookup('_absent.example.test'), { missing: true });
    // Port 9 (discard) on loopback: nobody answers DNS there.
    const silent = await dnsTxtLookup({ servers: ['127.0.0.1:9'], timeoutMs: 300 })('_x.example.test');
    assert.ok('failed' in silent, JSON.stringify(silent));
  });
});

describeWithServer(
  'Management API: verified domains',
  (server: () => TestServer) => {
    const { call, tenantWith } = apiClient(server);
    let manage: string;
    let alice: Person;
    let bob: Person;
    let carol: Person;
    let aliceToken: string;
    let bobToken: string;
    let carolToken: string;

    const base = (tenantId: string) => `/api/tenants/${tenantId}/domains`;
    const claim = (tenantId: string, domain: string, token = aliceToken, policy?: string) =>
      call<Reply>('POST', base(tenantId), token, { domain, ...(policy ? { join_policy: policy } : {}) });
    const verify = (tenantId: string, id: string, token = aliceToken) =>
      call<Reply>('POST', `${base(tenantId)}/${id}/verify`, token);
    /** A domain no other test uses, under the stub's test zone. */
    const freshDomain = () => `d-${crypto.randomUUID().slice(0, 8)}.example.test`;
    /** Publishes the record the claim asks for, the way the tenant's DNS admin would. */
    const publish = (claimed: DomainView) => dns.setTxt(claimed.verification!.name, [claimed.verification!.value]);

    before(async () => {
      manage = await clientToken(server(), { manage: true });
      [alice, bob, carol] = await Promise.all([
        person(server(), 'Alice'),
        person(server(), 'Bob'),
        person(server(), 'Carol'),
      ]);
      [aliceToken, bobToken, carolToken] = await Promise.all([alice, bob, carol].map((p) => userToken(server(), p)));
    });

    test('an admin claims a domain: 201, normalised, pending, with the TXT record that verifies it', async () => {
      const tenantId = await tenantWith(manage, 'Claims Inc', [alice]);
      const res = await claim(tenantId, 'Bücher-Claims.Example.TEST.', aliceToken, 'suggest');
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.domain, 'xn--bcher-claims-dlb.example.test');
      assert.equal(res.body.status, 'pending');
      assert.equal(res.body.join_policy, 'suggest');
      assert.equal(res.body.verified_at, null);
      assert.equal(res.headers.get('location'), `${server().url}${base(tenantId)}/${res.body.id}`);
      assert.equal(res.body.verification?.type, 'TXT');
      assert.equal(res.body.verification?.name, '_tessera-verification.xn--bcher-claims-dlb.example.test');
      assert.match(res.body.verification!.value, /^tessera-domain-verification=[\w-]{32}$/);
      const again = await claim(tenantId, 'xn--bcher-claims-dlb.example.test');
      assert.equal(again.status, 409);
      assert.equal(again.body.error, 'domain_exists');
      assert.equal((await claim(tenantId, 'not a domain')).body.error, 'invalid_domain');
      const listed = await call<{ items: DomainView[] }>('GET', base(tenantId), aliceToken);
      assert.deepEqual(
        listed.body.items.map((d) => d.domain),
        ['xn--bcher-claims-dlb.example.test'],
      );
    });

    test('verification: no record is 422, a record with another value is 422, the right record verifies (dns)', async () => {
      const tenantId = await tenantWith(manage, 'Verifies Inc', [alice]);
      const claimed = (await claim(tenantId, freshDomain())).body;
      const none = await verify(tenantId, claimed.id);
      assert.equal(none.status, 422);
      assert.equal(none.body.error, 'domain_not_verified');
      dns.setTxt(claimed.verification!.name, ['tessera-domain-verification=someone-elses-token', 'v=spf1 -all']);
      const wrong = await verify(tenantId, claimed.id);
      assert.equal(wrong.status, 422);
      assert.equal(wrong.body.error, 'domain_not_verified');
      assert.equal((await call<Reply>('GET', `${base(tenantId)}/${claimed.id}`, aliceToken)).body.status, 'pending');
      dns.setTxt(claimed.verification!.name, ['v=spf1 -all', claimed.verification!.value]);
      const right = await verify(tenantId, claimed.id);
      assert.equal(right.status, 200, JSON.stringify(right.body));
      assert.equal(right.body.status, 'verified');
      assert.equal(right.body.method, 'dns');
      assert.ok(right.body.verified_at);
      assert.equal(right.body.verification, null, 'the record is not shown once verified');
      const audit = await server().db.read((m) => m.findBy(AuditEvent, { tenantId, type: 'domain.verified' }));
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.actor, alice.id);
      assert.equal((await server().tessera.domains.ownerOf(`someone@${claimed.domain}`))?.tenantId, tenantId);
    });

    test("a domain verified by one tenant is refused to a second tenant's claim; an unverified claim blocks nobody", async () => {
      const domain = freshDomain();
      const squatter = await tenantWith(manage, 'Squatter', [bob]);
      const owner = await tenantWith(manage, 'Owner', [alice]);
      const squatted = await claim(squatter, domain, bobToken, 'auto');
      assert.equal(squatted.status, 201, 'an unverified claim is allowed beside others');
      const claimed = (await claim(owner, domain)).body;
      assert.notEqual(claimed.verification!.value, squatted.body.verification!.value, 'each claim has its own token');
      publish(claimed);
      assert.equal((await verify(owner, claimed.id)).status, 200, "the squatter's claim did not block the owner");
      assert.equal((await server().tessera.domains.ownerOf(domain))?.tenantId, owner);
      // The squatter cannot verify it now, even with the owner's record published, nor claim it again elsewhere.
      dns.setTxt(squatted.body.verification!.name, [squatted.body.verification!.value, claimed.verification!.value]);
      const stolen = await verify(squatter, squatted.body.id, bobToken);
      assert.equal(stolen.status, 409);
      assert.equal(stolen.body.error, 'domain_taken');
      const third = await tenantWith(manage, 'Third', [carol]);
      const refused = await claim(third, domain, carolToken);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error, 'domain_taken');
      // Given up by the owner, the domain can be verified by the other claim.
      assert.equal((await call('DELETE', `${base(owner)}/${claimed.id}`, aliceToken)).status, 204);
      assert.equal(await server().tessera.domains.ownerOf(domain), undefined);
      assert.equal((await verify(squatter, squatted.body.id, bobToken)).status, 200);
      assert.equal((await server().tessera.domains.ownerOf(domain))?.joinPolicy, 'auto');
    });

    test('two tenants verifying one domain at the same moment: exactly one owns it, the other is told domain_taken', async () => {
      const domain = freshDomain();
      const [first, second] = await Promise.all([
        tenantWith(manage, 'Racer One', [alice]),
        tenantWith(manage, 'Racer Two', [alice]),
      ]);
      const claims = [(await claim(first, domain)).body, (await claim(second, domain)).body];
      dns.setTxt(
        claims[0]!.verification!.name,
        claims.map((c) => c.verification!.value),
      );
      const results = await Promise.all([verify(first, claims[0]!.id), verify(second, claims[1]!.id)]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
      assert.equal(results.find((r) => r.status === 409)!.body.error, 'domain_taken');
      const winner = results[0]!.status === 200 ? first : second;
      assert.equal((await server().tessera.domains.ownerOf(domain))?.tenantId, winner);
    });

    test('DNS that gives no answer is a 503 (dns_unavailable), and the domain stays pending', async () => {
      // A second server whose DNS is a port where nobody answers.
      const tenantId = await tenantWith(manage, 'No DNS Inc', [alice]);
      const claimed = (await claim(tenantId, freshDomain())).body;
      const { DomainService } = await import('./domains.js');
      const { createQuota } = await import('../http/rate-limit.js');
      const deaf = new DomainService(
        server().db,
        dnsTxtLookup({ servers: ['127.0.0.1:9'], timeoutMs: 300 }),
        createQuota({ keyPrefix: 'test-dns', points: 100, durationSeconds: 3600 }),
      );
      const caller = { kind: 'user' as const, accountId: alice.id, scopes: new Set(['tenants:admin']) };
      await assert.rejects(deaf.verify(caller, tenantId, claimed.id), (error: { status: number; code: string }) => {
        assert.equal(error.status, 503);
        assert.equal(error.code, 'dns_unavailable');
        return true;
      });
      assert.equal((await call<Reply>('GET', `${base(tenantId)}/${claimed.id}`, aliceToken)).body.status, 'pending');
    });

    test('the operator attests a domain (no DNS), and the join policy is changed through PATCH', async () => {
      const tenantId = await tenantWith(manage, 'Attested Inc', [alice]);
      const domain = freshDomain();
      const asked = dns.questions();
      const attested = await server().tessera.domains.attest(tenantId, domain.toUpperCase(), 'request');
      assert.equal(attested.status, 'verified');
      assert.equal(attested.method, 'operator');
      assert.equal(dns.questions(), asked, 'no DNS question for an attestation');
      const other = await tenantWith(manage, 'Other Inc', [bob]);
      await assert.rejects(server().tessera.domains.attest(other, domain), /verified by another tenant/);
      await assert.rejects(server().tessera.domains.attest(other, 'not a domain'), /Expected a domain name/);
      await assert.rejects(
        server().tessera.domains.attest(crypto.randomUUID(), freshDomain()),
        /no tenant with this id/,
      );
      const patched = await call<Reply>('PATCH', `${base(tenantId)}/${attested.id}`, aliceToken, {
        join_policy: 'auto',
      });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.join_policy, 'auto');
      assert.equal(
        (await call('PATCH', `${base(tenantId)}/${attested.id}`, aliceToken, { join_policy: 'always' })).status,
        400,
      );
      const types = (await server().db.read((m) => m.findBy(AuditEvent, { tenantId })))
        .map((e) => e.type)
        .filter((t) => t.startsWith('domain.'))
        .sort();
      assert.deepEqual(types, ['domain.claimed', 'domain.policy_changed', 'domain.verified'].sort());
    });

    test('who may: tenant-admin and tenants:manage clients; a tenant-user 403, a stranger 404, no token 401', async () => {
      const tenantId = await tenantWith(manage, 'Guarded Inc', [alice], [bob]);
      const claimed = (await claim(tenantId, freshDomain(), manage)).body;
      assert.ok(claimed.id, 'a tenants:manage client may claim');
      const paths: [string, string, unknown?][] = [
        ['GET', base(tenantId)],
        ['POST', base(tenantId), { domain: freshDomain() }],
        ['GET', `${base(tenantId)}/${claimed.id}`],
        ['PATCH', `${base(tenantId)}/${claimed.id}`, { join_policy: 'suggest' }],
        ['POST', `${base(tenantId)}/${claimed.id}/verify`],
        ['DELETE', `${base(tenantId)}/${claimed.id}`],
        ['GET', `/api/tenants/${tenantId}/join-requests`],
      ];
      for (const [method, path, body] of paths) {
        assert.equal((await call(method, path, bobToken, body)).status, 403, `tenant-user: ${method} ${path}`);
        assert.equal((await call(method, path, carolToken, body)).status, 404, `stranger: ${method} ${path}`);
        assert.equal((await call(method, path, undefined, body)).status, 401, `no token: ${method} ${path}`);
      }
      const otherTenant = await tenantWith(manage, 'Elsewhere', [carol]);
      assert.equal(
        (await call('GET', `${base(otherTenant)}/${claimed.id}`, carolToken)).status,
        404,
        "another tenant's admin cannot reach this tenant's domain through their own tenant",
      );
      assert.equal((await call('GET', `${base(tenantId)}/${claimed.id}`, aliceToken)).status, 200);
    });

    test('the OpenAPI document describes the domain and join-request routes', async () => {
      const doc = (await call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/api/openapi.json')).body;
      for (const path of [
        '/api/tenants/{tenantId}/domains',
        '/api/tenants/{tenantId}/domains/{domainId}',
        '/api/tenants/{tenantId}/domains/{domainId}/verify',
        '/api/tenants/{tenantId}/join-requests',
        '/api/tenants/{tenantId}/join-requests/{requestId}/approve',
        '/api/tenants/{tenantId}/join-requests/{requestId}/deny',
      ])
        assert.ok(doc.paths[path], path);
    });
  },
  { DNS_SERVERS: dns.address, DNS_TIMEOUT_MS: '2000' },
);
