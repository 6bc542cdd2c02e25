// Reads a domain's verification TXT record through node:dns, from the configured servers (DNS_SERVERS) or
// the system's resolvers: the one place domain verification touches the network.
import { Resolver } from 'node:dns/promises';

/** What a lookup found: the TXT strings at the name, none (no such name or no TXT), or no answer at all. */
export type TxtAnswer = { found: string[] } | { missing: true } | { failed: string };

/** Looks up the TXT records at a name; never throws. */
export type TxtLookup = (name: string) => Promise<TxtAnswer>;

/** DNS answers that mean "there is no such record", as opposed to "the question got no answer". */
const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

export function dnsTxtLookup({ servers, timeoutMs }: { servers: string[]; timeoutMs: number }): TxtLookup {
  // Two tries of timeoutMs each at most: a verification click waits for an answer, not forever.
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers.length) resolver.setServers(servers);
  return async (name) => {
    try {
      // A TXT record may be split into several strings of 255 characters at most: they form one value.
      return { found: (await resolver.resolveTxt(name)).map((chunks) => chunks.join('')) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
      return ABSENT.has(code) ? { missing: true } : { failed: code };
    }
  };
}
