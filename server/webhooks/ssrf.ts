// Where webhooks may go. In production: https only, and never to an address inside the network the
// server runs in (loopback, private, link-local, cloud metadata, ...), checked when an endpoint is
// saved and again for every address the host resolves to at each delivery (DNS rebinding).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** What the server allows: `private` lets development and tests post to receivers on 127.0.0.1. */
export interface TargetPolicy {
  allowHttp: boolean;
  allowPrivate: boolean;
}

export const policyFor = (production: boolean): TargetPolicy => ({ allowHttp: !production, allowPrivate: !production });

export class TargetRefused extends Error {
  constructor(
    message: string,
    readonly code: 'invalid_url' | 'https_required' | 'address_not_allowed',
  ) {
    super(message);
    this.name = 'TargetRefused';
  }
}

const forbidden = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT (also Alibaba's metadata address)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, with the cloud metadata address 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const)
  forbidden.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (reaches IPv4 addresses through a gateway)
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (with AWS's metadata address fd00:ec2::254)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  forbidden.addSubnet(net, prefix, 'ipv6');

/** An IPv4 address written as IPv6 (::ffff:a.b.c.d, or its hex form), as the IPv4 address it is. */
function unmapped(address: string): string {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return address;
  const [high, low] = [Number.parseInt(hex[1]!, 16), Number.parseInt(hex[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Whether an address lies in a range no webhook may reach in production. */
export function isForbiddenAddress(address: string): boolean {
  const plain = unmapped(address.replace(/^\[|\]$/g, ''));
  const family = isIP(plain);
  if (family === 0) return true;
  return forbidden.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/** Checks a URL's shape (scheme, no credentials, a literal address that is allowed); returns it parsed. */
export function checkUrl(value: string, policy: TargetPolicy): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TargetRefused('The URL is not valid.', 'invalid_url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TargetRefused('The URL must be http(s).', 'invalid_url');
  if (url.username || url.password) throw new TargetRefused('The URL must not carry credentials.', 'invalid_url');
  if (url.protocol === 'http:' && !policy.allowHttp)
    throw new TargetRefused('Webhook URLs must use https.', 'https_required');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivate && (isIP(host) ? isForbiddenAddress(host) : isLocalName(host)))
    throw new TargetRefused('The URL points inside the server’s own network.', 'address_not_allowed');
  return url;
}

// Names that resolve locally whatever DNS says.
const isLocalName = (host: string) => /(^|\.)(localhost|local|internal|localdomain)\.?$/i.test(host);

type Resolve = (host: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/** Resolves a host and refuses it when any of its addresses is forbidden (under the policy). */
export async function resolveAllowed(host: string, policy: TargetPolicy, resolve = systemResolve) {
  const addresses = await resolve(host);
  if (!addresses.length) throw new TargetRefused(`${host} has no address.`, 'address_not_allowed');
  if (!policy.allowPrivate && addresses.some((a) => isForbiddenAddress(a.address)))
    throw new TargetRefused(`${host} resolves to an address inside the server’s network.`, 'address_not_allowed');
  return addresses;
}

/**
 * A `lookup` for http(s).request: the connection goes to exactly the addresses checked here, so a DNS
 * answer cannot change between the check and the connect.
 */
export function guardedLookup(policy: TargetPolicy, resolve: Resolve = systemResolve): LookupFunction {
  return (host, options, callback) => {
    resolveAllowed(host, policy, resolve).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
        if (!usable.length)
          return callback(new TargetRefused(`${host} has no usable address.`, 'address_not_allowed'), '', 4);
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 4),
    );
  };
}
