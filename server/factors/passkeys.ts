// Passkeys (WebAuthn) with @simplewebauthn/server: registration from the account page, and assertions as a
// first factor (discoverable, user verification required, so a passkey alone is two factors) or as a second.
// The relying party is the issuer (rpID its host, the one origin accepted); every challenge is kept here,
// bound to who may answer it, and deleted by its one use; the signature counter must move forward.
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { type EntityManager, LessThan, MoreThan } from 'typeorm';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { type ChallengePurpose, Credential, WebauthnChallenge } from '../db/entities/index.js';
import { BadRequest } from '../errors.js';
import { loadedAtFirstUse } from '../first-use.js';
import type { Amr } from '../interaction/kit.js';

const webauthn = loadedAtFirstUse<typeof import('@simplewebauthn/server')>('@simplewebauthn/server');
const helpers = loadedAtFirstUse<typeof import('@simplewebauthn/server/helpers')>('@simplewebauthn/server/helpers');

const CHALLENGE_TTL_MS = 5 * 60 * 1000;
const MAX_PASSKEYS = 20;

const b64 = (max: number) => z.string().max(max);

/** The browser's answer as @simplewebauthn/browser hands it over (JSON in a form field); the library checks the rest. */
const ceremonyResponse = <T extends z.ZodRawShape>(response: T) =>
  z
    .string()
    .max(32_000)
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(
      z.looseObject({
        id: b64(1400).min(1),
        rawId: b64(1400),
        type: z.literal('public-key'),
        response: z.looseObject({ clientDataJSON: b64(8000), ...response }),
        clientExtensionResults: z.looseObject({}).default({}),
      }),
    );
// Room for post-quantum passkeys: an ML-DSA-87 signature is 4,627 bytes (6,170 in base64url), and
// @simplewebauthn offers ML-DSA first where the runtime verifies it (Node 24), which Chromium's authenticator takes.
export const AssertionResponse = ceremonyResponse({ authenticatorData: b64(8000), signature: b64(8000) });
export const AttestationResponse = ceremonyResponse({ attestationObject: b64(16_000) });

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Who a passkey proved: the account, and how (`hwk` for a device-bound key, `swk` for a synced one). */
export interface PasskeyProof {
  accountId: string;
  amr: Amr[];
}

export class PasskeyService {
  readonly rpID: string;
  private readonly origin: string;

  constructor(
    private readonly db: Database,
    issuer: string,
    private readonly rpName = 'Tessera',
    private readonly now: () => number = Date.now,
  ) {
    this.rpID = new URL(issuer).hostname;
    this.origin = new URL(issuer).origin;
  }

  async list(accountId: string): Promise<PasskeyView[]> {
    const rows = await this.db.read((m) =>
      m.find(Credential, { where: { accountId, type: 'webauthn' }, order: { createdAt: 'ASC' } }),
    );
    return rows.map((r) => ({ id: r.id, name: r.name ?? '', createdAt: r.createdAt, lastUsedAt: r.lastUsedAt }));
  }

  async count(accountId: string): Promise<number> {
    return this.db.read((m) => m.countBy(Credential, { accountId, type: 'webauthn' }));
  }

  async registrationOptions(account: {
    id: string;
    userName: string;
    displayName: string;
  }): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.db.read((m) => m.findBy(Credential, { accountId: account.id, type: 'webauthn' }));
    const options = await webauthn().generateRegistrationOptions({
      rpName: this.rpName,
      rpID: this.rpID,
      userName: account.userName,
      userDisplayName: account.displayName,
      userID: new TextEncoder().encode(account.id),
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.identifier, transports: transportsOf(c) })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    await this.hold(options.challenge, 'register', account.id);
    return options;
  }

  /** Verifies a new passkey against the account's own challenge and keeps its public key. */
  async register(accountId: string, response: z.output<typeof AttestationResponse>, name: string): Promise<void> {
    await this.take(challengeOf(response), 'register', accountId);
    const verification = await webauthn()
      .verifyRegistrationResponse({
        response: response as RegistrationResponseJSON,
        expectedChallenge: challengeOf(response),
        expectedOrigin: this.origin,
        expectedRPID: this.rpID,
        requireUserVerification: true,
      })
      .catch(refused);
    if (!verification.verified) throw passkeyRefused();
    const { credential } = verification.registrationInfo;
    if (credential.id.length > 320) throw passkeyRefused(); // longer than any real authenticator's, and than the column
    const now = new Date(this.now());
    await this.db.transaction(async (m) => {
      if ((await m.countBy(Credential, { accountId, type: 'webauthn' })) >= MAX_PASSKEYS)
        throw new BadRequest(`An account may have ${MAX_PASSKEYS} passkeys at most.`, 'too_many_passkeys');
      await m.insert(Credential, {
        id: crypto.randomUUID(),
        accountId,
        type: 'webauthn',
        identifier: credential.id,
        secretHash: null,
        secret: helpers().isoBase64URL.fromBuffer(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports?.join(',') ?? null,
        name: name || 'Passkey',
        createdAt: now,
        updatedAt: now,
      });
    });
  }

  /**
   * Options for an assertion answered within `subject` (a sign-in's interaction). With `accountId` (a
   * second factor) only that account's passkeys are offered; without, any discoverable one (first factor).
   */
  async authenticationOptions(subject: string, accountId?: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const allow = accountId ? await this.db.read((m) => m.findBy(Credential, { accountId, type: 'webauthn' })) : [];
    const options = await webauthn().generateAuthenticationOptions({
      rpID: this.rpID,
      userVerification: accountId ? 'preferred' : 'required',
      allowCredentials: allow.map((c) => ({ id: c.identifier, transports: transportsOf(c) })),
    });
    await this.hold(options.challenge, 'authenticate', subject);
    return options;
  }

  /** Verifies an assertion to a challenge issued for `subject`; with `accountId`, the passkey must be its. */
  async authenticate(
    subject: string,
    response: z.output<typeof AssertionResponse>,
    accountId?: string,
  ): Promise<PasskeyProof> {
    await this.take(challengeOf(response), 'authenticate', subject);
    const row = await this.db.read((m) => m.findOneBy(Credential, { type: 'webauthn', identifier: response.id }));
    if (!row?.secret || (accountId !== undefined && row.accountId !== accountId)) throw passkeyRefused();
    const verification = await webauthn()
      .verifyAuthenticationResponse({
        response: response as AuthenticationResponseJSON,
        expectedChallenge: challengeOf(response),
        expectedOrigin: this.origin,
        expectedRPID: this.rpID,
        credential: {
          id: row.identifier,
          publicKey: helpers().isoBase64URL.toBuffer(row.secret),
          counter: row.counter,
          transports: transportsOf(row),
        },
        requireUserVerification: accountId === undefined,
      })
      .catch(refused);
    if (!verification.verified) throw passkeyRefused();
    const { newCounter, credentialDeviceType, userVerified } = verification.authenticationInfo;
    const now = new Date(this.now());
    // Counters that stay 0 (many synced passkeys) say nothing; one that does count must move forward.
    const moved = await this.db.write((m) => advanceCounter(m, row, newCounter, now));
    if (!moved) throw passkeyRefused();
    const kind: Amr = credentialDeviceType === 'multiDevice' ? 'swk' : 'hwk';
    return { accountId: row.accountId, amr: accountId === undefined && userVerified ? [kind, 'mfa'] : [kind] };
  }

  async rename(accountId: string, id: string, name: string): Promise<void> {
    await this.db.write((m) =>
      m.update(Credential, { id, accountId, type: 'webauthn' }, { name, updatedAt: new Date(this.now()) }),
    );
  }

  async remove(accountId: string, id: string): Promise<void> {
    await this.db.write((m) => m.delete(Credential, { id, accountId, type: 'webauthn' }));
  }

  private async hold(challenge: string, purpose: ChallengePurpose, subject: string): Promise<void> {
    const now = this.now();
    await this.db.transaction(async (m) => {
      await m.delete(WebauthnChallenge, { expiresAt: LessThan(new Date(now)) });
      await m.insert(WebauthnChallenge, { challenge, purpose, subject, expiresAt: new Date(now + CHALLENGE_TTL_MS) });
    });
  }

  /** Spends the challenge the browser signed: only one request ever gets past this for one challenge. */
  private async take(challenge: string, purpose: ChallengePurpose, subject: string): Promise<void> {
    const taken = await this.db.write((m) =>
      m.delete(WebauthnChallenge, { challenge, purpose, subject, expiresAt: MoreThan(new Date(this.now())) }),
    );
    if (taken.affected !== 1) throw passkeyRefused();
  }
}

function advanceCounter(m: EntityManager, row: Credential, newCounter: number, now: Date): Promise<boolean> {
  const where =
    newCounter === 0 && row.counter === 0 ? { id: row.id, counter: 0 } : { id: row.id, counter: LessThan(newCounter) };
  return m.update(Credential, where, { counter: newCounter, lastUsedAt: now }).then((r) => r.affected === 1);
}

/** The challenge inside the signed client data (checked against the one held, and by the library). */
function challengeOf(response: { response: { clientDataJSON: string } }): string {
  try {
    const data = JSON.parse(helpers().isoBase64URL.toUTF8String(response.response.clientDataJSON)) as {
      challenge?: unknown;
    };
    if (typeof data.challenge === 'string' && data.challenge.length <= 128) return data.challenge;
  } catch {
    // falls through to the refusal
  }
  throw passkeyRefused();
}

const transportsOf = (c: Credential) =>
  (c.transports ? c.transports.split(',') : undefined) as ('usb' | 'nfc' | 'ble' | 'internal' | 'hybrid')[] | undefined;

export const passkeyRefused = () => new BadRequest('The passkey could not be verified.', 'passkey_refused');
const refused = (): never => {
  throw passkeyRefused();
};
