// A SAML identity provider's metadata, imported by URL or as XML: its entity id, its single sign-on URL
// (HTTP-Redirect binding, where Tessera sends its AuthnRequest) and its signing certificates. Only
// these are kept; the metadata is read once, when the connection is saved.
import { BadRequest } from '../errors.js';
import { loadedAtFirstUse } from '../first-use.js';

/** The XML parser and XPath, for SAML only (here and in saml.ts). */
export const xmlDom = loadedAtFirstUse<typeof import('@xmldom/xmldom')>('@xmldom/xmldom');
export const xpath = loadedAtFirstUse<typeof import('xpath')>('xpath');

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  certificates: string[];
}

const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const MAX_BYTES = 500_000;
const invalid = (why: string) => new BadRequest(`The SAML metadata cannot be used: ${why}.`, 'invalid_saml_metadata');

/** Reads an IdP's metadata document; 400 invalid_saml_metadata when it lacks what a sign-in needs. */
export function parseIdpMetadata(xml: string): IdpMetadata {
  if (xml.length > MAX_BYTES) throw invalid('it is too large');
  // No DTDs: metadata has no use for them, and entity expansion is an old way to exhaust a parser.
  if (/<!DOCTYPE/i.test(xml)) throw invalid('it has a DOCTYPE');
  let doc: Document;
  try {
    doc = new (xmlDom().DOMParser)({
      errorHandler: {
        error: (m: string) => {
          throw new Error(m);
        },
        fatalError: (m: string) => {
          throw new Error(m);
        },
      },
    }).parseFromString(xml, 'text/xml') as unknown as Document;
  } catch {
    throw invalid('it is not XML');
  }
  const select = (expr: string, node: Node = doc) => xpath().select(expr, node) as Node[];
  const root = doc.documentElement;
  if (root?.localName !== 'EntityDescriptor') throw invalid('it has no EntityDescriptor');
  const entityId = root.getAttribute('entityID')?.trim();
  if (!entityId) throw invalid('it has no entityID');
  const idp = select("./*[local-name()='IDPSSODescriptor']", root)[0] as Element | undefined;
  if (!idp) throw invalid('it describes no identity provider (IDPSSODescriptor)');
  const sso = (select("./*[local-name()='SingleSignOnService']", idp) as Element[]).find(
    (e) => e.getAttribute('Binding') === REDIRECT_BINDING,
  );
  const ssoUrl = sso?.getAttribute('Location')?.trim();
  if (!ssoUrl || !/^https?:\/\//.test(ssoUrl))
    throw invalid('it has no SingleSignOnService with the HTTP-Redirect binding');
  const keys = (select("./*[local-name()='KeyDescriptor']", idp) as Element[]).filter(
    // xmldom answers '' for a missing attribute: no `use` means both signing and encryption.
    (k) => (k.getAttribute('use') || 'signing') === 'signing',
  );
  const certificates = [
    ...new Set(
      keys
        .flatMap((k) => select(".//*[local-name()='X509Certificate']", k))
        .map((c) => (c.textContent ?? '').replace(/\s+/g, ''))
        .filter((c) => /^[A-Za-z0-9+/=]{100,20000}$/.test(c)),
    ),
  ].slice(0, 10);
  if (!certificates.length) throw invalid('it has no signing certificate');
  return { entityId: entityId.slice(0, 1000), ssoUrl, certificates };
}

/** Fetches metadata from its URL (https, unless http is allowed for development), with a timeout and a size limit. */
export async function fetchIdpMetadata(url: string, allowHttp: boolean): Promise<IdpMetadata> {
  if (!url.startsWith('https://') && !allowHttp) throw invalid('its URL must use https');
  let text: string;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
    if (!response.ok) throw new Error(String(response.status));
    text = await response.text();
  } catch {
    throw invalid('it could not be read from its URL');
  }
  return parseIdpMetadata(text);
}
