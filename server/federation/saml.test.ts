// SAML 2.0 connections end to end over HTTP, with a test IdP on loopback (test/support/saml-idp.ts) and
// openid-client as the app: metadata imported by XML and by URL, SP-initiated sign-in with a signed
// response or a signed assertion, and each refusal: unsigned, replayed, expired, another audience,
// recipient or destination, an unknown InResponseTo, signature wrapping, comment injection; and an
// IdP-initiated response with a RelayState, which signs nobody in. On both databases.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Identity, Membership, MembershipRole, SamlAssertion } from '../db/entities/index.js';
import { apiClient } from '../../test/support/api.js';
import { FEDERATION_ENV, followAll, startAppSignIn, submitAny, tokensAt } from '../../test/support/federation.js';
import { type ResponseOptions, type SamlIdp, startSamlIdp } from '../../test/support/saml-idp.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { clientToken, person } from '../../test/support/tokens.js';
import { findForm, UserAgent } from '../../test/support/user-agent.js';
import type { ConnectionView } from './schemas.js';

describeWithServer(
  'Federation: SAML 2.0 connections',
  (server: () => TestServer) => {
    let idp: SamlIdp;
    let corp: ConnectionView;
    const unique = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;
    const operator = { kind: 'operator' } as const;

    before(async () => {
      idp = await startSamlIdp();
      corp = await server().tessera.connections.create(operator, {
        slug: 'corp-saml',
        kind: 'saml',
        name: 'Corp SAML',
        saml: { metadata_xml: idp.metadataXml, idp_initiated_url: null },
        claims: { name: 'displayName' },
        trusted_for_email: true,
      });
    });
    after(() => idp.close());

    const acs = () => corp.saml!.acs_url;
    const options = (o: Partial<ResponseOptions> = {}): ResponseOptions => ({
      acs: acs(),
      audience: corp.saml!.sp_entity_id,
      ...o,
    });
    /** An app's sign-in sent to the IdP: the AuthnRequest's ID, and what finishing at the app needs. */
    async function toIdp(browser: UserAgent) {
      const { page, rp, verifier } = await startAppSignIn(server(), browser);
      assert.match(page.html, /Sign in with Corp SAML/);
      const atIdp = await submitAny(browser, page, '/connection/corp-saml');
      assert.match(atIdp.html, /Test SAML IdP/);
      return { atIdp, rp, verifier, requestId: idp.requests.at(-1)!.id };
    }
    const post = (browser: UserAgent, SAMLResponse: string, RelayState?: string) =>
      followAll(browser, acs(), { method: 'POST', form: { SAMLResponse, ...(RelayState ? { RelayState } : {}) } });
    const identity = (subject: string) =>
      server().db.read((m) => m.findOneBy(Identity, { connectionId: corp.id, subject }));

    test('metadata imported as XML: the IdP entity id, SSO URL and certificate; the SP metadata names the entity id and the ACS', async () => {
      assert.equal(corp.kind, 'saml');
      assert.equal(corp.saml!.idp_entity_id, idp.entityId);
      assert.equal(corp.saml!.idp_sso_url, `${idp.url}/sso`);
      assert.equal(corp.saml!.idp_certificates, 1);
      assert.equal(corp.saml!.sp_entity_id, `${server().url}/connections/corp-saml/saml/metadata`);
      assert.equal(corp.saml!.acs_url, `${server().url}/connections/corp-saml/saml/acs`);
      const res = await fetch(corp.saml!.sp_metadata_url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /samlmetadata\+xml/);
      const xml = await res.text();
      assert.match(xml, new RegExp(`entityID="${corp.saml!.sp_entity_id}"`));
      assert.match(xml, /AssertionConsumerService[^>]*HTTP-POST[^>]*/);
      assert.ok(xml.includes(`Location="${acs()}"`));
      assert.equal((await fetch(`${server().url}/connections/nope/saml/metadata`)).status, 404);
    });

    test('metadata imported by URL; bad metadata is a 400 invalid_saml_metadata', async () => {
      const byUrl = await server().tessera.connections.create(operator, {
        slug: unique('by-url'),
        kind: 'saml',
        name: 'By URL',
        saml: { metadata_url: idp.metadataUrl },
      });
      assert.equal(byUrl.saml!.idp_entity_id, idp.entityId);
      assert.equal(byUrl.saml!.idp_metadata_url, idp.metadataUrl);
      assert.equal(byUrl.claims.subject, 'nameID');
      for (const metadata_xml of [
        '<not-xml',
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>',
      ])
        await assert.rejects(
          server().tessera.connections.create(operator, {
            slug: unique('bad'),
            kind: 'saml',
            name: 'Bad',
            saml: { metadata_xml },
          }),
          (e: { code?: string; status?: number }) => e.status === 400 && e.code === 'invalid_saml_metadata',
        );
    });

    test('SP-initiated sign-in through the IdP (signed response): account from NameID and attributes, amr fed, idp the slug', async () => {
      const login = unique('ada');
      idp.people.set(login, { email: `${login}@corp.test`, displayName: 'Ada SAML', groups: 'staff' });
      const browser = new UserAgent(server().url);
      const { atIdp, rp, verifier, requestId } = await toIdp(browser);
      assert.equal(idp.requests.at(-1)!.acs, acs());
      assert.equal(idp.requests.at(-1)!.issuer, corp.saml!.sp_entity_id);
      assert.match(requestId, /^_/);
      const posted = await submitAny(browser, atIdp, '/sso/login', { login });
      const back = await submitAny(browser, posted, /\/saml\/acs$/);
      const claims = (await tokensAt(rp, back, verifier)).claims()!;
      assert.deepEqual(claims.amr, ['fed']);
      assert.equal(claims.idp, 'corp-saml');
      assert.equal(claims.email, `${login}@corp.test`);
      assert.equal(claims.email_verified, true);
      assert.equal((await identity(login))?.accountId, claims.sub);
    });

    test('a response whose assertion alone is signed signs in; an unsigned one is refused and changes nothing', async () => {
      const login = unique('signed-assertion');
      const browser = new UserAgent(server().url);
      const { rp, verifier, requestId } = await toIdp(browser);
      const unsigned = await post(
        browser,
        idp.response(options({ inResponseTo: requestId, nameId: login, sign: 'none' })),
      );
      assert.equal(unsigned.status, 400);
      assert.match(unsigned.html, /did not complete/);
      assert.equal(await identity(login), null);

      const again = new UserAgent(server().url);
      const second = await toIdp(again);
      const back = await post(
        again,
        idp.response(options({ inResponseTo: second.requestId, nameId: login, sign: 'assertion' })),
      );
      assert.equal((await tokensAt(second.rp, back, second.verifier)).claims()!.idp, 'corp-saml');
      assert.ok(await identity(login));
      void rp;
      void verifier;
    });

    test('a replayed response is refused: its request is spent and its assertion ID recorded until it expires', async () => {
      const login = unique('replay');
      const browser = new UserAgent(server().url);
      const { rp, verifier, requestId } = await toIdp(browser);
      const assertionId = `_a${crypto.randomUUID()}`;
      const response = idp.response(options({ inResponseTo: requestId, nameId: login, assertionId }));
      await tokensAt(rp, await post(browser, response), verifier);
      assert.equal((await post(new UserAgent(server().url), response)).status, 400);
      assert.equal((await post(browser, response)).status, 400);
      // The same assertion answering a fresh request of ours: refused by the assertion ID alone.
      const other = new UserAgent(server().url);
      const fresh = await toIdp(other);
      const reused = idp.response(options({ inResponseTo: fresh.requestId, nameId: login, assertionId }));
      assert.equal((await post(other, reused)).status, 400);
      assert.ok((await server().db.read((m) => m.count(SamlAssertion))) > 0, 'kept in the database');
    });

    const refused: [string, (requestId: string) => Partial<ResponseOptions>][] = [
      [
        'expired',
        () => ({ notOnOrAfter: new Date(Date.now() - 5 * 60_000), notBefore: new Date(Date.now() - 10 * 60_000) }),
      ],
      [
        'not yet valid',
        () => ({ notBefore: new Date(Date.now() + 10 * 60_000), notOnOrAfter: new Date(Date.now() + 20 * 60_000) }),
      ],
      ['for another audience', () => ({ audience: 'https://other-sp.example/metadata' })],
      ['for another recipient', () => ({ recipient: `${server().url}/connections/other/saml/acs` })],
      ['for another destination', () => ({ destination: 'https://other-sp.example/acs' })],
      ['from another issuer', () => ({ issuer: 'https://other-idp.example' })],
      ['answering a request we never sent', () => ({ inResponseTo: '_never-sent' })],
    ];
    for (const [what, change] of refused)
      test(`a signed response ${what} is refused`, async () => {
        const login = unique('refused');
        const browser = new UserAgent(server().url);
        const { requestId } = await toIdp(browser);
        const page = await post(
          browser,
          idp.response(options({ inResponseTo: requestId, nameId: login, ...change(requestId) })),
        );
        assert.equal(page.status, 400);
        assert.equal(await identity(login), null);
      });

    test('signature wrapping is refused: an unsigned assertion beside or around a signed one', async () => {
      const browser = new UserAgent(server().url);
      const { requestId } = await toIdp(browser);
      const signed = idp.responseXml(options({ inResponseTo: requestId, nameId: 'attacker', sign: 'assertion' }));
      const original = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
      const evil = (inner: string) =>
        original
          .replace(/ID="[^"]+"/, 'ID="_evil"')
          .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, inner)
          .replace('>attacker<', '>victim<');
      const variants = [
        // The signed assertion hidden in Extensions, an unsigned one in its place.
        signed.replace(original, `<samlp:Extensions>${original}</samlp:Extensions>${evil('')}`),
        // The signed assertion inside the unsigned one.
        signed.replace(original, evil(original)),
        // Two assertions side by side.
        signed.replace(original, `${evil('')}${original}`),
      ];
      for (const xml of variants) {
        const page = await post(browser, Buffer.from(xml).toString('base64'));
        assert.equal(page.status, 400);
      }
      assert.equal(await identity('victim'), null);
    });

    test('a comment in a signed NameID is read whole (not cut at the comment)', async () => {
      const login = unique('cmt');
      const browser = new UserAgent(server().url);
      const { rp, verifier, requestId } = await toIdp(browser);
      const xml = idp.responseXml(options({ inResponseTo: requestId, nameId: `${login}@corp.test.evil.test` }));
      // exc-c14n drops comments, so the signature still verifies: the NameID must not become the part before it.
      const injected = xml.replace(`${login}@corp.test.evil.test`, `${login}@corp.test<!---->.evil.test`);
      const back = await post(browser, Buffer.from(injected).toString('base64'));
      await tokensAt(rp, back, verifier);
      assert.equal(await identity(`${login}@corp.test`), null);
      assert.ok(await identity(`${login}@corp.test.evil.test`));
    });

    test('IdP-initiated: verified, signs nobody in, lands on the RelayState path of Tessera (else the account page); replay and unsigned refused', async () => {
      const login = unique('idp-init');
      const browser = new UserAgent(server().url);
      const response = idp.response(options({ inResponseTo: null, nameId: login }));
      const landed = await browser.request(acs(), {
        method: 'POST',
        form: { SAMLResponse: response, RelayState: '/demo' },
      });
      assert.equal(landed.status, 303);
      assert.equal(landed.location, `${server().url}/demo`);
      assert.equal(await identity(login), null, 'an unsolicited response signs nobody in');
      assert.equal((await browser.request(acs(), { method: 'POST', form: { SAMLResponse: response } })).status, 400);
      for (const RelayState of ['https://evil.example/', '//evil.example/', '/\\evil.example']) {
        const fresh = idp.response(options({ inResponseTo: null, nameId: login }));
        const page = await browser.request(acs(), { method: 'POST', form: { SAMLResponse: fresh, RelayState } });
        assert.equal(page.location, `${server().url}/account`, RelayState);
      }
      const unsigned = idp.response(options({ inResponseTo: null, nameId: login, sign: 'none' }));
      assert.equal((await browser.request(acs(), { method: 'POST', form: { SAMLResponse: unsigned } })).status, 400);
    });

    test("a tenant's SAML connection through the Management API: created from metadata by URL, changed, and signing in grants membership from the groups attribute", async () => {
      const { call } = apiClient(server);
      const manage = await clientToken(server(), { manage: true });
      const tenantId = (await call<{ id: string }>('POST', '/api/tenants', manage, { name: unique('Acme') })).body.id;
      const base = `/api/tenants/${tenantId}/connections`;
      const slug = unique('acme-saml');
      const missing = await call<{ error: string }>('POST', base, manage, { slug, kind: 'saml', name: 'Acme' });
      assert.equal(missing.status, 400);
      const created = await call<ConnectionView>('POST', base, manage, {
        slug,
        kind: 'saml',
        name: 'Acme SAML',
        saml: { metadata_url: idp.metadataUrl },
        membership: { group_roles: { admins: ['tenant-admin'] } },
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.saml!.acs_url, `${server().url}/connections/${slug}/saml/acs`);
      assert.equal(created.body.redirect_uri, created.body.saml!.acs_url);
      const changed = await call<ConnectionView>('PATCH', `${base}/${created.body.id}`, manage, {
        saml: { idp_initiated_url: `${server().url}/demo` },
      });
      assert.equal(changed.status, 200);
      assert.equal(changed.body.saml!.idp_initiated_url, `${server().url}/demo`);
      assert.equal(changed.body.saml!.idp_entity_id, idp.entityId, 'the imported metadata stays');

      const login = unique('grace');
      idp.people.set(login, { groups: 'admins' });
      const browser = new UserAgent(server().url);
      const { page, rp, verifier } = await startAppSignIn(server(), browser, { params: { tenant_hint: tenantId } });
      const atIdp = await submitAny(browser, page, `/connection/${slug}`);
      const back = await submitAny(browser, await submitAny(browser, atIdp, '/sso/login', { login }), /\/saml\/acs$/);
      const sub = (await tokensAt(rp, back, verifier)).claims()!.sub;
      const membership = await server().db.read((m) => m.findOneByOrFail(Membership, { tenantId, accountId: sub }));
      const roles = await server().db.read((m) => m.findBy(MembershipRole, { membershipId: membership.id }));
      assert.deepEqual(
        roles.map((r) => r.role),
        ['tenant-admin'],
      );
    });

    test('linking a SAML identity from the account page continues in the browser signed in to that account only', async () => {
      const second = await server().tessera.connections.create(operator, {
        slug: unique('second-saml'),
        kind: 'saml',
        name: 'Second SAML',
        saml: { metadata_xml: idp.metadataXml },
      });
      const login = unique('linker');
      const browser = new UserAgent(server().url);
      const { atIdp, rp, verifier } = await toIdp(browser);
      const back = await submitAny(browser, await submitAny(browser, atIdp, '/sso/login', { login }), /\/saml\/acs$/);
      const accountId = (await tokensAt(rp, back, verifier)).claims()!.sub;
      const account = await followAll(browser, `${server().url}/account`);
      const atIdp2 = await submitAny(browser, account, `/account/connections/${second.slug}/link`);
      const answer = await submitAny(browser, atIdp2, '/sso/login', { login: `${login}-2` });
      const form = findForm(answer.html, /\/saml\/acs$/);
      const posted = await browser.request(form.action, { method: 'POST', form: form.hidden });
      assert.match(posted.location ?? '', new RegExp(`/connections/${second.slug}/saml/link/[0-9a-f]{64}$`));
      const stranger = await new UserAgent(server().url).request(new URL(posted.location!, server().url).href);
      assert.equal(stranger.status, 400, 'another browser cannot finish the link');
      const linked = await followAll(browser, new URL(posted.location!, server().url).href);
      assert.match(linked.html, /new way to sign in is linked/);
      assert.equal(
        (await server().db.read((m) => m.findOneBy(Identity, { connectionId: second.id, subject: `${login}-2` })))
          ?.accountId,
        accountId,
      );
    });

    test('the tenant admin page adds a SAML connection from its metadata URL and shows the SP metadata URL; bad metadata is told on the page', async () => {
      const { call, tenantWith } = apiClient(server);
      const manage = await clientToken(server(), { manage: true });
      const admin = await person(server(), 'Saml Admin');
      const tenantId = await tenantWith(manage, unique('Paged'), [admin]);
      const browser = new UserAgent(server().url);
      let page = await browser.follow(`/tenants/${tenantId}/manage`);
      page = await browser.submit(page, /\/login$/, { email: admin.email, password: admin.password });
      const slug = unique('paged-saml');
      const refused = await browser.submit(page, `/tenants/${tenantId}/manage/connections/saml`, {
        saml_name: 'Paged SAML',
        saml_slug: slug,
        saml_metadata_url: `${idp.url}/nothing-here`,
      });
      assert.equal(refused.status, 400);
      assert.match(refused.html, /The SAML metadata cannot be used: it could not be read from its URL/);
      const added = await browser.submit(refused, `/tenants/${tenantId}/manage/connections/saml`, {
        saml_name: 'Paged SAML',
        saml_slug: slug,
        saml_metadata_url: idp.metadataUrl,
      });
      assert.match(added.html, new RegExp(`${server().url}/connections/${slug}/saml/metadata`));
      const listed = await call<{ items: ConnectionView[] }>('GET', `/api/tenants/${tenantId}/connections`, manage);
      assert.equal(listed.body.items[0]?.saml?.idp_entity_id, idp.entityId);
    });

    test('bad posts to the ACS are 400 pages, never a 500; nothing of a response is logged', async () => {
      const browser = new UserAgent(server().url);
      const forms: Record<string, string>[] = [
        {},
        { SAMLResponse: 'not base64 <xml' },
        { SAMLResponse: Buffer.from('<x/>').toString('base64') },
      ];
      for (const form of forms) assert.equal((await browser.request(acs(), { method: 'POST', form })).status, 400);
      assert.equal(
        (await browser.request(`${server().url}/connections/nope/saml/acs`, { method: 'POST', form: {} })).status,
        400,
      );
      assert.ok(server().logs.every((line) => !line.includes('SAMLResponse') && !line.includes('PHNhbWxwOlJlc3')));
    });
  },
  FEDERATION_ENV,
);
