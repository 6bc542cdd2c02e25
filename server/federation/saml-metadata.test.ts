// What Tessera takes from an IdP's SAML metadata, and what it refuses; and where an IdP-initiated
// sign-in lands for a given RelayState (never another site).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveConnection } from './connections.js';
import { parseIdpMetadata } from './saml-metadata.js';
import { SamlServiceProvider } from './saml.js';

const CERT_A = 'A'.repeat(120);
const CERT_B = 'B'.repeat(120);
const metadata = (inner: string, entityId = 'https://idp.example/metadata') =>
  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${inner}</md:IDPSSODescriptor></md:EntityDescriptor>`;
const key = (cert: string, use?: string) =>
  `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n${cert.slice(0, 60)}\n${cert.slice(60)}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const redirect =
  '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>';
const post =
  '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/post"/>';

test('the entity id, the HTTP-Redirect SSO URL and the signing certificates (whitespace removed, encryption keys skipped)', () => {
  const read = parseIdpMetadata(
    metadata(`${key(CERT_A, 'signing')}${key(CERT_B)}${key('C'.repeat(120), 'encryption')}${post}${redirect}`),
  );
  assert.deepEqual(read, {
    entityId: 'https://idp.example/metadata',
    ssoUrl: 'https://idp.example/sso',
    certificates: [CERT_A, CERT_B],
  });
});

test('metadata without what a sign-in needs, or with a DOCTYPE, is refused with 400 invalid_saml_metadata', () => {
  const cases: [string, RegExp][] = [
    [metadata(`${key(CERT_A)}${post}`), /HTTP-Redirect/],
    [metadata(redirect), /no signing certificate/],
    [metadata(`${key(CERT_A, 'encryption')}${redirect}`), /no signing certificate/],
    [metadata(`${key(CERT_A)}${redirect}`, ''), /no entityID/],
    ['<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>', /IDPSSODescriptor/],
    [`<!DOCTYPE x [<!ENTITY a "aaaa">]>${metadata(`${key(CERT_A)}${redirect}`)}`, /DOCTYPE/],
    ['<md:EntityDescriptor', /not XML/],
    ['<other/>', /no EntityDescriptor/],
  ];
  for (const [xml, why] of cases)
    assert.throws(
      () => parseIdpMetadata(xml),
      (e: { status?: number; code?: string; description?: string }) =>
        e.status === 400 && e.code === 'invalid_saml_metadata' && why.test(e.description ?? ''),
      why.source,
    );
});

test('an IdP-initiated sign-in lands on a RelayState path of Tessera, else the configured URL, else the account page', () => {
  const sp = new SamlServiceProvider('https://id.example.com');
  const connection = (idpInitiatedUrl: string | null) =>
    ({ settings: { saml: { idpInitiatedUrl } } }) as unknown as LiveConnection;
  assert.equal(sp.landing(connection(null), '/auth?client_id=app'), 'https://id.example.com/auth?client_id=app');
  assert.equal(sp.landing(connection(null), undefined), 'https://id.example.com/account');
  for (const relay of ['https://evil.example/', '//evil.example', '/\\evil.example', '/a b', 'account', ['/x']])
    assert.equal(
      sp.landing(connection('https://app.example/login'), relay),
      'https://app.example/login',
      String(relay),
    );
});
