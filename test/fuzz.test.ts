// Property-based fuzzing of every Management API operation (as a backend, a tenant admin and nobody), the
// features' operator routes (as an operator) and every page form: generated bad input never answers 5xx and
// never changes the database.
// FUZZ_SEED replays a run; FUZZ_RUNS sets its size.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, test } from 'node:test';
import fc from 'fast-check';
import * as oidc from 'openid-client';
import { createClient } from '../server/oidc/clients.js';
import { insertMembership } from '../server/tenants/service.js';
import { apiClient } from './support/api.js';
import {
  apiRequests,
  describeRequest,
  type FormSpec,
  formRequests,
  formsOf,
  fuzz,
  type FuzzResult,
  PROVIDER_FORMS,
} from './support/fuzz.js';
import { describeWithServer, type TestServer } from './support/server.js';
import { clientToken, firstPartyApp, operatorToken, type Person, person, userToken } from './support/tokens.js';
import { type Page, UserAgent } from './support/user-agent.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

/**
 * Every table is compared, none left out: the generated requests are refused before anything that
 * writes even on refusal (rate-limit counters, audited refusals, the provider's interaction and
 * session rows) is reached. A table may be left out here only with the reason a refused request
 * writes it by design.
 */
const TABLES_A_REFUSAL_MAY_WRITE = new Set<string>();

describeWithServer(
  'fuzzing with bad input',
  (server: () => TestServer) => {
    const { call, tenantWith } = apiClient(server);
    let manage: string;
    let adminToken: string;
    let operator: string;
    let forms: FormSpec[];
    let realIds: Record<string, string[]>;

    /** A checksum per table of everything a refused request must not change. */
    async function snapshot(): Promise<Record<string, string>> {
      const db = server().db;
      const tables = [...db.dataSource.entityMetadatas.map((m) => m.tableName), 'rate_limits', 'write_guards']
        .filter((t) => !TABLES_A_REFUSAL_MAY_WRITE.has(t))
        .sort();
      const sums: Record<string, string> = {};
      for (const table of tables) {
        const rows = (await db.read((m) => m.query(`SELECT * FROM ${table}`))) as Record<string, unknown>[];
        const lines = rows.map((r) => JSON.stringify(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)))).sort();
        sums[table] = `${lines.length}:${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16)}`;
      }
      return sums;
    }

    async function authorizationUrl(params: Record<string, string> = {}, rp?: oidc.Configuration): Promise<string> {
      return oidc.buildAuthorizationUrl(rp ?? (await firstPartyApp(server())), {
        redirect_uri: `${server().url}/app/callback`,
        scope: 'openid email tenants',
        state: 's',
        ...params,
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      }).href;
    }

    /** Signs in through the pages and returns the page that follows the password (a prompt, for these people). */
    async function signInUntil(
      who: Person,
      browser: UserAgent,
      params: Record<string, string> = {},
      rp?: oidc.Configuration,
    ): Promise<Page> {
      const login = await browser.follow(await authorizationUrl(params, rp));
      return browser.submit(login, /\/login$/, { email: who.email, password: who.password });
    }

    /** The forms of a page, for the browser that holds its cookies; forms that act on sight (remove, revoke) only get envelopes the parser refuses. */
    const formsFrom = (page: Page, browser: UserAgent, expect: RegExp) => {
      assert.match(page.html, expect, `expected page ${expect}, got ${page.status} ${page.html.slice(0, 300)}`);
      return formsOf(page.html, browser.cookieHeader()).map((f) => ({
        ...f,
        envelopeOnly: f.fields.length === 0 || /\/(remove|revoke|consent|abort)$/.test(f.action),
      }));
    };

    before(async () => {
      manage = await clientToken(server(), { manage: true });
      const [ada, ben, cat, dan, eve, fay] = await Promise.all(
        ['Ada', 'Ben', 'Cat', 'Dan', 'Eve', 'Fay'].map((n) => person(server(), n)),
      );
      // Ada is Acme's only admin; Cat belongs to Acme and Other (so she chooses one); a pending invitation is bound to
      // Ada's address; Fay administers Other and calls the API with her own token.
      const acme = await tenantWith(manage, 'Acme', [ada!]);
      const other = await tenantWith(manage, 'Other', [fay!], [cat!]);
      adminToken = await userToken(server(), fay!);
      await server().db.transaction((m) => insertMembership(m, acme, cat!.id, ['tenant-user'], null));
      const bound = await call<{ id: string }>('POST', `/api/tenants/${other}/invitations/tokens`, manage, {
        email: ada!.email,
      });
      const open = await call<{ id: string; token: string }>(
        'POST',
        `/api/tenants/${acme}/invitations/tokens`,
        manage,
        {},
      );
      const memberships = await call<{ items: { id: string }[] }>('GET', `/api/tenants/${acme}/memberships`, manage);
      // An operator's API resource and global connection, for reads by id of the operator routes below.
      operator = await operatorToken(server());
      const resource = await call<{ id: string }>('POST', '/api/admin/resources', operator, {
        audience: 'https://api.fuzz.example',
        name: 'Fuzz',
      });
      const connection = await call<{ id: string }>('POST', '/api/admin/connections', operator, {
        slug: 'fuzz',
        kind: 'oidc',
        name: 'Fuzz',
        issuer: 'https://idp.fuzz.example',
        client_id: 'tessera',
      });
      realIds = {
        resourceId: [resource.body.id],
        connection: ['fuzz', connection.body.id],
        tenantId: [acme, other],
        tokenId: [bound.body.id, open.body.id],
        membershipId: memberships.body.items.map((m) => m.id),
        role: ['tenant-admin', 'tenant-user'],
      };

      forms = [...PROVIDER_FORMS];
      const fresh = new UserAgent(server().url);
      const login = await fresh.follow(await authorizationUrl());
      forms.push(...formsFrom(login, fresh, /\/login"/));
      const register = await fresh.follow(`${new URL(login.url).pathname.replace(/\/$/, '')}/register`);
      forms.push(...formsFrom(register, fresh, /\/register"/));
      const reset = await fresh.follow('/reset-password');
      forms.push(...formsFrom(reset, fresh, /\/reset-password"/));
      const csrf = formsOf(reset.html, fresh.cookieHeader())[0]!.hidden;
      forms.push({
        action: '/reset-password/new',
        fields: ['code', 'password'],
        hidden: csrf,
        cookie: fresh.cookieHeader(),
      });
      forms.push({ action: '/verify-email', fields: ['code'], hidden: csrf, cookie: fresh.cookieHeader() });

      const adaBrowser = new UserAgent(server().url);
      forms.push(...formsFrom(await signInUntil(ada!, adaBrowser), adaBrowser, /\/review"/));
      const benBrowser = new UserAgent(server().url);
      forms.push(
        ...formsFrom(await signInUntil(ben!, benBrowser, { invitation: open.body.token }), benBrowser, /\/invitation"/),
      );
      const catBrowser = new UserAgent(server().url);
      forms.push(...formsFrom(await signInUntil(cat!, catBrowser), catBrowser, /\/select-tenant"/));
      const danBrowser = new UserAgent(server().url);
      forms.push(...formsFrom(await signInUntil(dan!, danBrowser), danBrowser, /\/create-tenant"/));
      const eveBrowser = new UserAgent(server().url);
      const thirdParty = await createClient(server().db, {
        name: 'Third party',
        redirectUris: [`${server().url}/app/callback`],
      });
      const rp = await oidc.discovery(new URL(server().url), thirdParty.id, thirdParty.secret, undefined, {
        execute: [oidc.allowInsecureRequests],
      });
      forms.push(...formsFrom(await signInUntil(eve!, eveBrowser, {}, rp), eveBrowser, /\/consent"/));
      // Ada's browser is signed in now (the review page came after the password): her admin page.
      const adminPage = await adaBrowser.follow(`/tenants/${acme}/manage`);
      forms.push(...formsFrom(adminPage, adaBrowser, /\/manage\/roles"/));
    });

    const report = (result: FuzzResult) => {
      const statuses = [...result.byStatus]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
      return `seed ${SEED}: ${result.sent} requests, ${statuses}${result.failure ? `\nfirst 5xx: ${result.failure.status} ${result.failure.text}\n${describeRequest(result.failure.request)}` : ''}`;
    };

    test('every API operation and every page form refuses generated bad input with a 4xx and changes nothing', async (t) => {
      const covered = new Set(
        forms.map((f) =>
          f.action.replace(/\/interaction\/[^/]+/, '/interaction/:uid').replace(/[0-9a-f-]{36}/g, ':id'),
        ),
      );
      for (const expected of [
        '/login',
        '/register',
        '/consent',
        '/abort',
        '/review',
        '/invitation',
        '/select-tenant',
        '/create-tenant',
        '/reset-password',
        '/reset-password/new',
        '/verify-email',
        '/manage/roles',
        '/manage/invitations',
        '/token',
      ]) {
        assert.ok(
          [...covered].some((action) => action.endsWith(expected)),
          `no form posts to …${expected}: ${[...covered].join(', ')}`,
        );
      }
      const document = (await (await fetch(`${server().url}/api/openapi.json`)).json()) as Parameters<
        typeof apiRequests
      >[0];
      // The operator routes of the features (resources, connections, domains, webhooks, client settings) as an
      // operator: past the operator check, so their bodies and parameters are read. (The operator API's own
      // routes without input, such as a key rotation, would change the database when called well.)
      const operatorDocument = {
        ...document,
        paths: Object.fromEntries(
          Object.entries(document.paths).filter(([path]) =>
            /^\/api\/admin\/(resources|connections|webhooks|domain-owner|tenants\/\{tenantId\}\/domains|clients\/\{clientId\}\/settings)/.test(
              path,
            ),
          ),
        ),
      };
      assert.ok(Object.keys(operatorDocument.paths).length >= 10, Object.keys(operatorDocument.paths).join(' '));
      // About half the requests go to the API (mostly authenticated, so they pass authentication), half to the forms.
      const requests = fc.oneof(
        { arbitrary: apiRequests(document, { token: manage, realIds }), weight: forms.length * 2 },
        { arbitrary: apiRequests(document, { token: adminToken, realIds }), weight: forms.length },
        { arbitrary: apiRequests(operatorDocument, { token: operator, realIds }), weight: forms.length },
        { arbitrary: apiRequests(document), weight: forms.length },
        ...forms.map((form) => ({ arbitrary: formRequests(form), weight: 4 })),
      );
      const before = await snapshot();
      t.diagnostic(
        `fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${RUNS} requests, ${forms.length} forms, ${Object.keys(document.paths).length} API paths`,
      );
      const result = await fuzz(server().url, requests, { seed: SEED, numRuns: RUNS });
      t.diagnostic(report(result));
      assert.equal(result.failure, undefined, report(result));
      assert.deepEqual(await snapshot(), before, 'refused requests changed the database');
    });
  },
  { TENANT_SELF_SERVICE: 'true' },
);
