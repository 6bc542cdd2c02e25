// Tessera as a SAML 2.0 service provider, through @node-saml/node-saml: the AuthnRequest (HTTP-Redirect
// binding, its ID derived from the round trip's state), the response at the ACS (HTTP-POST binding) and
// the SP metadata. The library checks the XML signature (of the response or of the assertion: one of
// them must verify against the IdP's certificates, and only signed content is read, which defeats
// signature wrapping), NotBefore / NotOnOrAfter and the audience; Tessera adds the issuer, Destination,
// Recipient and InResponseTo checks on the verified assertion. Replay is the caller's (saml_assertions).
// Nothing of a response is ever logged.
import type { SAML } from '@node-saml/node-saml';
import { loadedAtFirstUse } from '../first-use.js';
import type { LiveConnection } from './connections.js';
import { xmlDom, xpath } from './saml-metadata.js';
import type { SamlSettings } from './schemas.js';
import type { UpstreamClaims } from './upstream.js';

const nodeSaml = loadedAtFirstUse<typeof import('@node-saml/node-saml')>('@node-saml/node-saml');

/** Accepted difference between the IdP's clock and ours. */
export const SAML_CLOCK_SKEW_MS = 60_000;
const NAME_ID_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** What a verified response proved. */
export interface VerifiedAssertion {
  /** The assertion's ID, for the replay check. */
  assertionId: string;
  /** Until when the assertion could be replayed (its NotOnOrAfter, with the clock skew). */
  expiresAt: Date;
  /** The AuthnRequest ID it answers; null for an IdP-initiated (unsolicited) response. */
  inResponseTo: string | null;
  /** NameID and attributes, for the claim mapping. */
  claims: UpstreamClaims;
}

export class SamlRejected extends Error {}

const pem = (base64: string) =>
  `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----`;

export class SamlServiceProvider {
  constructor(private readonly issuer: string) {}

  acsUrl(slug: string): string {
    return `${this.issuer}/connections/${slug}/saml/acs`;
  }

  metadataUrl(slug: string): string {
    return `${this.issuer}/connections/${slug}/saml/metadata`;
  }

  /** Where the browser goes to sign in at the IdP; `requestId` comes back as InResponseTo. */
  async authorizeUrl(connection: LiveConnection, requestId: string, { forceAuthn = false } = {}): Promise<URL> {
    return new URL(await this.client(connection, { requestId, forceAuthn }).getAuthorizeUrlAsync('', undefined, {}));
  }

  /** The SP metadata the IdP is given: entity id, ACS (HTTP-POST), signed assertions wanted. */
  metadata(connection: LiveConnection): string {
    return this.client(connection).generateServiceProviderMetadata(null, null);
  }

  /** Verifies a response posted to the ACS; throws SamlRejected (without the reason's details) on anything amiss. */
  async verify(connection: LiveConnection, samlResponse: string): Promise<VerifiedAssertion> {
    const saml = connection.settings.saml!;
    let profile: Awaited<ReturnType<SAML['validatePostResponseAsync']>>['profile'];
    try {
      ({ profile } = await this.client(connection).validatePostResponseAsync({ SAMLResponse: samlResponse }));
    } catch {
      throw new SamlRejected('the response did not verify');
    }
    if (!profile?.getAssertionXml) throw new SamlRejected('no assertion');
    const acs = this.acsUrl(connection.slug);
    const assertion = parse(profile.getAssertionXml());
    const response = parse(profile.getSamlResponseXml?.() ?? '');
    const root = assertion.documentElement;
    if (root?.localName !== 'Assertion') throw new SamlRejected('no assertion');
    if (text(assertion, "/*[local-name()='Assertion']/*[local-name()='Issuer']") !== saml.entityId)
      throw new SamlRejected('another issuer');
    // Destination is optional in an unsigned response, but when there it must be us.
    const destination = response.documentElement?.getAttribute('Destination');
    if (destination && destination !== acs) throw new SamlRejected('another destination');
    const confirmation = (
      xpath().select(
        "/*[local-name()='Assertion']/*[local-name()='Subject']/*[local-name()='SubjectConfirmation']",
        assertion,
      ) as Element[]
    )
      .filter((c) => c.getAttribute('Method') === BEARER)
      .map((c) => (xpath().select("./*[local-name()='SubjectConfirmationData']", c) as Element[])[0])
      .find((d) => d?.getAttribute('Recipient') === acs);
    if (!confirmation) throw new SamlRejected('no bearer confirmation for this ACS');
    const notOnOrAfter = Date.parse(confirmation.getAttribute('NotOnOrAfter') ?? '');
    if (Number.isNaN(notOnOrAfter)) throw new SamlRejected('no NotOnOrAfter');
    if (notOnOrAfter + SAML_CLOCK_SKEW_MS <= Date.now()) throw new SamlRejected('expired');
    // InResponseTo of the signed assertion is the one that counts; the response's must not say otherwise.
    const inResponseTo = confirmation.getAttribute('InResponseTo') || null;
    const responseInResponseTo = response.documentElement?.getAttribute('InResponseTo') || null;
    if (responseInResponseTo !== null && responseInResponseTo !== inResponseTo)
      throw new SamlRejected('InResponseTo differs');
    const assertionId = root.getAttribute('ID');
    if (!assertionId) throw new SamlRejected('no assertion ID');
    return {
      assertionId,
      expiresAt: new Date(notOnOrAfter + SAML_CLOCK_SKEW_MS),
      inResponseTo,
      claims: claimsOf(profile),
    };
  }

  /**
   * Where an IdP-initiated sign-in lands: a RelayState that is a path of Tessera's (e.g. an app's sign-in
   * start on Tessera, /account), else the connection's `idp_initiated_url`, else the account page. Never
   * another site named by the RelayState: that would be an open redirect.
   */
  landing(connection: LiveConnection, relayState: unknown): string {
    if (typeof relayState === 'string' && relayState.length <= 1000 && /^\/(?![/\\])[\x21-\x7e]*$/.test(relayState))
      return `${this.issuer}${relayState}`;
    return connection.settings.saml?.idpInitiatedUrl ?? `${this.issuer}/account`;
  }

  private client(
    connection: LiveConnection,
    { requestId, forceAuthn = false }: { requestId?: string; forceAuthn?: boolean } = {},
  ): SAML {
    const saml = connection.settings.saml as SamlSettings;
    const entityId = connection.settings.clientId;
    const { SAML, ValidateInResponseTo } = nodeSaml();
    return new SAML({
      idpCert: saml.certificates.map(pem),
      issuer: entityId,
      audience: entityId,
      callbackUrl: this.acsUrl(connection.slug),
      entryPoint: saml.ssoUrl,
      identifierFormat: NAME_ID_FORMAT,
      // A signature on the response or on the assertion is enough; the library refuses a response with neither.
      wantAuthnResponseSigned: false,
      wantAssertionsSigned: false,
      acceptedClockSkewMs: SAML_CLOCK_SKEW_MS,
      // InResponseTo is checked against upstream_sign_ins by the caller, not in the library's memory cache.
      validateInResponseTo: ValidateInResponseTo.never,
      disableRequestedAuthnContext: true,
      forceAuthn,
      generateUniqueId: () => requestId ?? `_${crypto.randomUUID()}`,
    });
  }
}

function parse(xml: string): Document {
  return new (xmlDom().DOMParser)({ errorHandler: { error: () => {}, warning: () => {} } }).parseFromString(
    xml || '<none/>',
    'text/xml',
  ) as unknown as Document;
}

function text(doc: Document, expr: string): string | undefined {
  const node = (xpath().select(expr, doc) as Node[])[0];
  return node?.textContent?.trim() || undefined;
}

/**
 * NameID and attributes as claims (attribute names as they are, e.g. `email` or a URI); the library's
 * `email` (from mail or its OID) too. SAML has no email_verified: an asserted address counts as said
 * verified, and the connection's trust decides whether Tessera believes it.
 */
function claimsOf(profile: Record<string, unknown>): UpstreamClaims {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const claims: UpstreamClaims = Object.fromEntries(Object.entries(attributes));
  claims.nameID = profile.nameID;
  claims.nameIDFormat = profile.nameIDFormat;
  if (claims.email === undefined && typeof profile.email === 'string') claims.email = profile.email;
  if (claims.email_verified === undefined) claims.email_verified = typeof claims.email === 'string';
  return claims;
}
