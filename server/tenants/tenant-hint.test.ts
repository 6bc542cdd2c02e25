// A slug can never pass for another tenant's id: slugs shaped like UUIDs are refused, and a tenant_hint
// matches an id first, then a slug, and never picks among several matches.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Tenant } from '../db/entities/index.js';
import { apiClient } from '../../test/support/api.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, person, signIn } from '../../test/support/tokens.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';
import { type TenantClaims, TenantDirectory, type TenantMembership } from './claims.js';
import type { Database } from '../db/database.js';
import { insertMembership } from './service.js';
import { looksLikeUuid } from './schemas.js';

describeWithServer('slugs shaped like tenant ids', (server: () => TestServer) => {
  let manage: string;
  const { call } = apiClient(server);

  before(async () => {
    manage = await clientToken(server(), { manage: true });
  });

  test('a slug shaped like a UUID is refused with 400 naming the slug, on create and on update, and nothing changes', async () => {
    const other = await call<{ id: string }>('POST', '/api/tenants', manage, { name: 'Target' });
    const created = await call('POST', '/api/tenants', manage, { name: 'Impostor', slug: other.body.id });
    assert.equal(created.status, 400);
    assert.match(String(created.body.error_description), /slug: a slug must not look like a UUID/);
    const mine = await call<{ id: string; slug: string }>('POST', '/api/tenants', manage, { name: 'Honest' });
    const patched = await call('PATCH', `/api/tenants/${mine.body.id}`, manage, { slug: crypto.randomUUID() });
    assert.equal(patched.status, 400);
    assert.match(String(patched.body.error_description), /slug/);
    assert.equal((await call<{ slug: string }>('GET', `/api/tenants/${mine.body.id}`, manage)).body.slug, 'honest');
    const slugs = await server().db.read((m) => m.find(Tenant));
    assert.ok(slugs.every((t) => !looksLikeUuid(t.slug)));
  });

  test('a tenant named like a UUID gets a slug made from the name that is not shaped like one', async () => {
    const name = crypto.randomUUID();
    const created = await call<{ slug: string }>('POST', '/api/tenants', manage, { name });
    assert.equal(created.status, 201);
    assert.equal(created.body.slug, `tenant-${name}`);
  });

  test("a tenant_hint with one tenant's id chooses that tenant, even when another of the person's tenants has that id as its slug", async () => {
    const backend = { kind: 'client', clientId: 'test', manage: true } as const;
    const target = (await server().tessera.tenants.create(backend, { name: 'Hint Target' })).id;
    const impostor = (await server().tessera.tenants.create(backend, { name: 'Hint Impostor' })).id;
    const bystander = (await server().tessera.tenants.create(backend, { name: 'Hint Bystander' })).id;
    // A row from before slugs were checked: the impostor's slug is the target's id.
    await server().db.write((m) => m.update(Tenant, { id: impostor }, { slug: target }));
    const both = await person(server(), 'Both');
    const outsider = await person(server(), 'Outsider');
    await server().db.transaction(async (m) => {
      for (const t of [target, impostor]) await insertMembership(m, t, both.id, ['tenant-user'], null);
      for (const t of [impostor, bystander]) await insertMembership(m, t, outsider.id, ['tenant-user'], null);
    });
    const inBoth = await signIn(server(), both, { params: { tenant_hint: target } });
    assert.equal((inBoth.tokens.claims() as unknown as TenantClaims).active_tenant?.tenant_id, target);

    // Not a member of the target: the id-shaped hint names none of the outsider's tenants, so they choose.
    let asked = false;
    const browser = new UserAgent(server().url);
    const outside = await signIn(server(), outsider, {
      browser,
      params: { tenant_hint: target },
      onPage: async (page: Page) => {
        asked = true;
        const id = /value="([0-9a-f-]{36})"[^>]*>\s*<span><strong>Hint Bystander</.exec(page.html)?.[1];
        assert.ok(id, `the select page offers the bystander: ${page.html.slice(0, 300)}`);
        return browser.submit(page, /\/select-tenant$/, { tenant_id: id });
      },
    });
    assert.ok(asked, 'the select page was shown instead of picking the impostor');
    assert.equal((outside.tokens.claims() as unknown as TenantClaims).active_tenant?.tenant_id, bystander);
  });
});

describe('resolving a tenant_hint', () => {
  const directory = new TenantDirectory(undefined as unknown as Database); // resolveHint reads no database
  const tenant = (tenant_id: string, slug: string): TenantMembership => ({
    tenant_id,
    slug,
    tenant_name: slug,
    roles: [],
  });

  test('an id match wins over a slug match, whatever the order', () => {
    const id = crypto.randomUUID();
    const byId = tenant(id, 'real');
    const bySlug = tenant(crypto.randomUUID(), id);
    assert.equal(directory.resolveHint(id, [bySlug, byId]), byId);
  });

  test('a hint shaped like an id is only ever an id; a slug is matched otherwise', () => {
    const id = crypto.randomUUID();
    assert.equal(directory.resolveHint(id, [tenant(crypto.randomUUID(), id)]), undefined);
    const acme = tenant(crypto.randomUUID(), 'acme');
    assert.equal(directory.resolveHint('acme', [acme]), acme);
  });

  test('several matches pick none', () => {
    assert.equal(
      directory.resolveHint('twin', [tenant(crypto.randomUUID(), 'twin'), tenant(crypto.randomUUID(), 'twin')]),
      undefined,
    );
  });
});
