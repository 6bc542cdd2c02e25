// A SAML identity provider for tests, on 127.0.0.1 with a free port: its metadata, a single sign-on
// endpoint (HTTP-Redirect) with a tiny login form whose answer is a page posting a signed response to
// the SP's ACS, and `response()` to build any response by hand (signed as asked, with xml-crypto), for the
// attacks the tests make. The key and certificate are made with openssl for each run.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';

export interface ResponseOptions {
  acs: string;
  audience: string;
  nameId?: string;
  /** Raw XML inside <NameID> (for comment injection). */
  nameIdXml?: string;
  attributes?: Record<string, string | string[]>;
  inResponseTo?: string | null;
  recipient?: string;
  destination?: string | null;
  notBefore?: Date;
  notOnOrAfter?: Date;
  sign?: 'response' | 'assertion' | 'both' | 'none';
  assertionId?: string;
  issuer?: string;
}

export interface SamlIdp {
  url: string;
  entityId: string;
  metadataUrl: string;
  metadataXml: string;
  /** The attributes each login name signs in with (a name nobody set gets an e-mail from `verified:<e-mail>`). */
  people: Map<string, Record<string, string | string[]>>;
  /** The AuthnRequests received (ID and ACS), newest last. */
  requests: { id: string; acs: string; issuer: string }[];
  /** A response as XML, signed as asked. */
  responseXml(options: ResponseOptions): string;
  /** The same, base64 as posted. */
  response(options: ResponseOptions): string;
  close(): Promise<void>;
}

const NS = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"';
const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const certBody = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

function keyPair(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'saml-idp-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=tessera-test-idp',
        '-days',
        '2',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sign(xml: string, key: string, cert: string, what: 'Response' | 'Assertion'): string {
  const sig = new SignedXml({
    privateKey: key,
    publicCert: cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: `//*[local-name(.)='${what}']`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, {
    location: { reference: `//*[local-name(.)='${what}']/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

function attributeXml(attributes: Record<string, string | string[]>): string {
  const entries = Object.entries(attributes);
  if (!entries.length) return '';
  const one = ([name, value]: [string, string | string[]]) =>
    `<saml:Attribute Name="${esc(name)}">${(Array.isArray(value) ? value : [value])
      .map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`)
      .join('')}</saml:Attribute>`;
  return `<saml:AttributeStatement>${entries.map(one).join('')}</saml:AttributeStatement>`;
}

async function body(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

/** Attributes for a login nobody set (the browser tests type them): `verified:<e-mail>` brings that e-mail. */
function attributesFromLogin(login: string): Record<string, string> {
  const [kind, email] = login.split(':', 2);
  return kind === 'verified' && email ? { email, displayName: `SAML ${email.split('@')[0]}` } : {};
}

export async function startSamlIdp(): Promise<SamlIdp> {
  const { key, cert } = keyPair();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${url}/metadata`;
  const people = new Map<string, Record<string, string | string[]>>();
  const requests: SamlIdp['requests'] = [];

  const responseXml = (o: ResponseOptions): string => {
    const now = Date.now();
    const issuer = o.issuer ?? entityId;
    const notOnOrAfter = (o.notOnOrAfter ?? new Date(now + 5 * 60_000)).toISOString();
    const notBefore = (o.notBefore ?? new Date(now - 60_000)).toISOString();
    const inResponseTo = o.inResponseTo ? ` InResponseTo="${esc(o.inResponseTo)}"` : '';
    const destination = o.destination === null ? '' : ` Destination="${esc(o.destination ?? o.acs)}"`;
    const assertionId = o.assertionId ?? `_a${randomUUID()}`;
    const instant = new Date(now).toISOString();
    let assertion = `<saml:Assertion ${NS} ID="${assertionId}" Version="2.0" IssueInstant="${instant}"><saml:Issuer>${esc(issuer)}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${o.nameIdXml ?? esc(o.nameId ?? 'nobody')}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${notOnOrAfter}" Recipient="${esc(o.recipient ?? o.acs)}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${instant}" SessionIndex="_s${randomUUID()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>${attributeXml(o.attributes ?? {})}</saml:Assertion>`;
    const sign_ = o.sign ?? 'response';
    if (sign_ === 'assertion' || sign_ === 'both') assertion = sign(assertion, key, cert, 'Assertion');
    const response = `<samlp:Response ${NS} ID="_r${randomUUID()}" Version="2.0" IssueInstant="${instant}"${destination}${inResponseTo}><saml:Issuer>${esc(issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${assertion}</samlp:Response>`;
    return sign_ === 'response' || sign_ === 'both' ? sign(response, key, cert, 'Response') : response;
  };
  const response = (o: ResponseOptions) => Buffer.from(responseXml(o)).toString('base64');

  const metadataXml = `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}"><md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certBody(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${url}/sso"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${url}/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;

  server.on('request', async (req, res) => {
    const at = new URL(req.url ?? '/', url);
    const html = (status: number, page: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><title>Test IdP</title></head><body>${page}</body></html>`);
    };
    if (at.pathname === '/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' });
      return res.end(metadataXml);
    }
    if (at.pathname === '/sso' && req.method === 'GET') {
      const request = inflateRawSync(Buffer.from(at.searchParams.get('SAMLRequest') ?? '', 'base64')).toString();
      const id = /\sID="([^"]+)"/.exec(request)?.[1] ?? '';
      const acs = /AssertionConsumerServiceURL="([^"]+)"/.exec(request)?.[1] ?? '';
      const issuer = /<saml:Issuer[^>]*>([^<]+)</.exec(request)?.[1] ?? '';
      requests.push({ id, acs, issuer });
      return html(
        200,
        `<h1>Test SAML IdP</h1><form method="post" action="/sso/login"><input type="hidden" name="id" value="${esc(id)}"><input type="hidden" name="acs" value="${esc(acs)}"><input type="hidden" name="issuer" value="${esc(issuer)}"><input type="hidden" name="RelayState" value="${esc(at.searchParams.get('RelayState') ?? '')}"><label>Login <input name="login" id="login"></label><button type="submit">Sign in</button></form>`,
      );
    }
    if (at.pathname === '/sso/login' && req.method === 'POST') {
      const form = await body(req);
      const login = form.get('login') ?? '';
      const acs = form.get('acs') ?? '';
      const saml = response({
        acs,
        audience: form.get('issuer') ?? '',
        inResponseTo: form.get('id') || null,
        nameId: login,
        attributes: people.get(login) ?? attributesFromLogin(login),
      });
      const relay = form.get('RelayState')
        ? `<input type="hidden" name="RelayState" value="${esc(form.get('RelayState')!)}">`
        : '';
      // Browsers post it with the script; a test's UserAgent submits the form.
      return html(
        200,
        `<form method="post" action="${esc(acs)}"><input type="hidden" name="SAMLResponse" value="${saml}">${relay}<button type="submit">Continue</button></form><script>document.forms[0].submit()</script>`,
      );
    }
    res.writeHead(404).end();
  });

  return {
    url,
    entityId,
    metadataUrl: entityId,
    metadataXml,
    people,
    requests,
    responseXml,
    response,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
