// Where webhooks may go: the address ranges refused in production, URL shapes, and the lookup that
// checks every address a name resolves to at the moment of connecting (DNS rebinding).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { LookupAddress } from 'node:dns';
import { checkUrl, guardedLookup, isForbiddenAddress, policyFor, resolveAllowed, TargetRefused } from './ssrf.js';

const production = policyFor(true);
const development = policyFor(false);

test('loopback, private, link-local, metadata and other internal addresses are forbidden', () => {
  for (const address of [
    '127.0.0.1',
    '127.255.0.9',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // AWS, GCP, Azure metadata
    '100.100.100.200', // Alibaba metadata
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254', // AWS metadata over IPv6
    '::ffff:127.0.0.1',
    '::ffff:7f00:1', // the same, in hex
    '::ffff:169.254.169.254',
    '64:ff9b::a9fe:a9fe', // NAT64 to 169.254.169.254
    'not an address',
  ])
    assert.equal(isForbiddenAddress(address), true, address);
});

test('public addresses are allowed', () => {
  for (const address of [
    '93.184.215.14',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])
    assert.equal(isForbiddenAddress(address), false, address);
});

test('production refuses http, loopback and private literals, local names and credentials in the URL', () => {
  const refused = (url: string, code: TargetRefused['code']) =>
    assert.throws(
      () => checkUrl(url, production),
      (e: unknown) => e instanceof TargetRefused && e.code === code,
      url,
    );
  refused('http://hooks.example.com/x', 'https_required');
  refused('https://127.0.0.1/x', 'address_not_allowed');
  refused('https://[::1]:8443/x', 'address_not_allowed');
  refused('https://169.254.169.254/latest/meta-data', 'address_not_allowed');
  refused('https://10.0.0.5/x', 'address_not_allowed');
  refused('https://localhost/x', 'address_not_allowed');
  refused('https://metadata.google.internal/x', 'address_not_allowed');
  refused('https://user:pass@hooks.example.com/x', 'invalid_url');
  refused('ftp://hooks.example.com/x', 'invalid_url');
  refused('not a url', 'invalid_url');
  assert.equal(checkUrl('https://hooks.example.com/x', production).href, 'https://hooks.example.com/x');
});

test('development allows http receivers on loopback', () => {
  assert.equal(checkUrl('http://127.0.0.1:4000/hook', development).host, '127.0.0.1:4000');
  assert.equal(checkUrl('http://localhost:4000/hook', development).hostname, 'localhost');
});

const answers =
  (...addresses: string[]) =>
  async (): Promise<LookupAddress[]> =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

test('a name is refused in production when any one of its addresses is internal', async () => {
  await assert.rejects(
    resolveAllowed('hooks.example.com', production, answers('93.184.215.14', '10.0.0.1')),
    TargetRefused,
  );
  assert.equal((await resolveAllowed('hooks.example.com', production, answers('93.184.215.14'))).length, 1);
  assert.equal((await resolveAllowed('hooks.example.com', development, answers('127.0.0.1'))).length, 1);
});

test('the connection goes only to checked addresses: a name rebound to loopback is refused when connecting', async () => {
  const server = createServer((_req, res) => res.end('reached')).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    // The name resolved to a public address when the endpoint was saved; now it answers with loopback.
    const rebound = answers('127.0.0.1');
    const get = (lookup: ReturnType<typeof guardedLookup>) => fetchVia(`http://hooks.example.com:${port}/`, lookup);
    await assert.rejects(get(guardedLookup(production, rebound)), TargetRefused);
    // The same lookup under the development policy connects, so the refusal above is the policy's doing.
    assert.equal(await get(guardedLookup(development, rebound)), 'reached');
  } finally {
    server.close();
  }
});

async function fetchVia(url: string, lookup: ReturnType<typeof guardedLookup>): Promise<string> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    request(url, { lookup, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c;
      });
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}
