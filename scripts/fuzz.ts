// Sends generated bad input to a running Tessera on this machine and fails on the first 5xx:
//   npm run fuzz -- --requests 20000 [--url http://127.0.0.1:3000] [--seed N]
//                   [--client-id ID --client-secret SECRET]   (a tenants:manage client, to fuzz past authentication)
// The same generators as test/fuzz.test.ts; the pages reached without signing in (sign-in, registration,
// password reset, e-mail verification) and every API operation. Only loopback addresses are accepted:
// this sends hostile requests, never to someone else's server.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import {
  apiRequests,
  describeRequest,
  type FormSpec,
  formRequests,
  formsOf,
  fuzz,
  PROVIDER_FORMS,
} from '../test/support/fuzz.js';
import { UserAgent } from '../test/support/user-agent.js';

const isLoopback = (address: string) =>
  isIP(address) === 4 ? address.startsWith('127.') : address === '::1' || address === '::ffff:127.0.0.1';

async function assertLoopback(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0 || !addresses.every(isLoopback)) {
    throw new Error(
      `refusing to fuzz ${url.origin}: only loopback addresses (127.0.0.0/8, ::1) may be targeted, and ${host} is ${addresses.join(', ') || 'unresolvable'}`,
    );
  }
}

async function manageToken(base: URL, clientId: string, clientSecret: string): Promise<string> {
  const res = await fetch(new URL('/token', base), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'tenants:manage',
      resource: new URL('/api', base).href,
    }),
  });
  const body = (await res.json()) as { access_token?: string; error_description?: string };
  if (!body.access_token)
    throw new Error(`no tenants:manage token for ${clientId}: ${res.status} ${body.error_description ?? ''}`);
  return body.access_token;
}

/** The forms anyone can reach: a sign-in started from the admin page of a tenant that does not exist, registration, reset, the token endpoints. */
async function publicForms(base: URL): Promise<FormSpec[]> {
  const browser = new UserAgent(base.origin);
  const login = await browser.follow(`/tenants/${crypto.randomUUID()}/manage`);
  if (!/\/login"/.test(login.html))
    throw new Error(
      `expected the sign-in page, got ${login.status} at ${login.url}${login.location ? ` (to ${login.location}: give the server's issuer as --url)` : ''}`,
    );
  const register = await browser.follow(`${new URL(login.url).pathname.replace(/\/$/, '')}/register`);
  const reset = await browser.follow('/reset-password');
  const forms = [login, register, reset].flatMap((page) => formsOf(page.html, browser.cookieHeader()));
  const hidden = forms.find((f) => f.hidden._csrf)?.hidden ?? {};
  forms.push({ action: '/reset-password/new', fields: ['code', 'password'], hidden, cookie: browser.cookieHeader() });
  forms.push({ action: '/verify-email', fields: ['code'], hidden, cookie: browser.cookieHeader() });
  // The cancel button ends the interaction on any well-formed post: only refused envelopes go there.
  return [
    ...forms.map((f) => ({ ...f, envelopeOnly: f.fields.length === 0 || f.action.endsWith('/abort') })),
    ...PROVIDER_FORMS,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '1000' },
      url: { type: 'string', default: 'http://127.0.0.1:3000' },
      seed: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
    },
  });
  const numRuns = Number(values.requests);
  if (!Number.isInteger(numRuns) || numRuns < 1) throw new Error('--requests: a positive whole number');
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  const base = new URL(values.url!);
  await assertLoopback(base);

  const token =
    values['client-id'] && values['client-secret']
      ? await manageToken(base, values['client-id'], values['client-secret'])
      : undefined;
  const document = (await (await fetch(new URL('/api/openapi.json', base))).json()) as Parameters<
    typeof apiRequests
  >[0];
  const forms = await publicForms(base);
  const requests = fc.oneof(
    { arbitrary: apiRequests(document, { token }), weight: forms.length * 2 },
    ...forms.map((form) => ({ arbitrary: formRequests(form), weight: 2 })),
  );
  console.log(
    `fuzzing ${base.origin}: ${numRuns} requests, seed ${seed} (replay with --seed ${seed}), ${Object.keys(document.paths).length} API paths${token ? ' (authenticated)' : ''}, ${forms.length} forms`,
  );
  const started = Date.now();
  const statuses = (byStatus: Map<number, number>) =>
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
  const result = await fuzz(base.href, requests, {
    seed,
    numRuns,
    onProgress: (r) =>
      console.log(`  ${r.sent}/${numRuns} (${Math.round((Date.now() - started) / 1000)} s) ${statuses(r.byStatus)}`),
  });
  console.log(
    `${result.sent} requests in ${Math.round((Date.now() - started) / 1000)} s: ${statuses(result.byStatus)}`,
  );
  if (result.failure) {
    console.error(
      `5xx found (seed ${seed}): ${result.failure.status} ${result.failure.text}\n${describeRequest(result.failure.request)}`,
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
