// TOTP (RFC 6238) authenticator apps: enrolment with a QR code and a manual key, and codes checked within
// one step either side, each accepted once: the last step used is kept, and a code is only accepted by the
// conditional update that moves it forward (a replay, even a concurrent one, finds it moved already).
import QRCode from 'qrcode';
import { Secret, TOTP } from 'otpauth';
import { type EntityManager, LessThan } from 'typeorm';
import type { Database } from '../db/database.js';
import { Credential } from '../db/entities/index.js';
import { Conflict } from '../errors.js';
import type { SecretBox } from '../keys/sealing.js';

const PERIOD = 30;
const DIGITS = 6;
/** Steps accepted either side of now: one, for clocks a little off and codes typed near a step's end. */
const WINDOW = 1;
const CODE = /^\d{6}$/;

/** What the enrolment page shows: the key typed by hand, and the same as a QR code (inline SVG). */
export interface TotpEnrolment {
  secret: string;
  uri: string;
  qrSvg: string;
}

export class TotpService {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    /** The name apps show above the code (the issuer's host by default). */
    private readonly issuerName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async enrolled(accountId: string): Promise<boolean> {
    return (await this.db.read((m) => m.countBy(Credential, { accountId, type: 'totp' }))) > 0;
  }

  /** A new key waiting for its first code (replacing any earlier one that never got it). */
  async startEnrolment(accountId: string, label: string): Promise<TotpEnrolment> {
    const secret = new Secret({ size: 20 });
    const now = new Date(this.now());
    await this.db.transaction(async (m) => {
      await m.delete(Credential, { accountId, type: 'totp_pending' });
      await m.insert(Credential, {
        id: crypto.randomUUID(),
        accountId,
        type: 'totp_pending',
        identifier: accountId,
        secretHash: null,
        secret: this.box.seal(secret.base32, accountId),
        counter: 0,
        createdAt: now,
        updatedAt: now,
      });
    });
    return this.enrolmentOf(secret.base32, label);
  }

  /** The key waiting for its first code, to show the enrolment page again (after a wrong code). */
  async pendingEnrolment(accountId: string, label: string): Promise<TotpEnrolment | undefined> {
    const row = await this.db.read((m) => m.findOneBy(Credential, { accountId, type: 'totp_pending' }));
    return row?.secret ? this.enrolmentOf(this.box.open(row.secret, accountId), label) : undefined;
  }

  /**
   * Finishes the enrolment with a code from the app, which proves it holds the key. The code's step is
   * kept, so the same code does not also pass the sign-in that may follow. False for a wrong code.
   */
  async confirmEnrolment(accountId: string, code: string): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const pending = await m.findOneBy(Credential, { accountId, type: 'totp_pending' });
      const step = pending?.secret ? this.stepOf(this.box.open(pending.secret, accountId), code) : undefined;
      if (!pending || step === undefined) return false;
      if (await m.countBy(Credential, { accountId, type: 'totp' }))
        throw new Conflict('An authenticator app is already set up; remove it first.', 'totp_enrolled');
      const spent = await m.delete(Credential, { id: pending.id, type: 'totp_pending' });
      if (spent.affected !== 1) return false; // a concurrent confirmation took it
      const now = new Date(this.now());
      await m.insert(Credential, {
        ...pending,
        id: crypto.randomUUID(),
        type: 'totp',
        counter: step,
        createdAt: now,
        updatedAt: now,
      });
      return true;
    });
  }

  /** Checks a sign-in code: right for now (±1 step), and from a later step than any accepted before. */
  async verify(accountId: string, code: string): Promise<boolean> {
    const row = await this.db.read((m) => m.findOneBy(Credential, { accountId, type: 'totp' }));
    const step = row?.secret ? this.stepOf(this.box.open(row.secret, accountId), code) : undefined;
    if (!row || step === undefined) return false;
    return this.db.write((m) => claimStep(m, row.id, step, new Date(this.now())));
  }

  async remove(accountId: string): Promise<void> {
    await this.db.write((m) => m.delete(Credential, { accountId, type: 'totp' }));
  }

  /** The time step a code belongs to, when it is right within the window. */
  private stepOf(base32: string, code: string): number | undefined {
    const token = code.replace(/\s+/g, '');
    if (!CODE.test(token)) return undefined;
    const timestamp = this.now();
    const delta = totpOf(base32, '').validate({ token, timestamp, window: WINDOW });
    return delta === null ? undefined : TOTP.counter({ period: PERIOD, timestamp }) + delta;
  }

  private async enrolmentOf(base32: string, label: string): Promise<TotpEnrolment> {
    const uri = totpOf(base32, label, this.issuerName).toString();
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return { secret: base32.replace(/(.{4})/g, '$1 ').trim(), uri, qrSvg };
  }
}

function totpOf(base32: string, label: string, issuer = ''): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD,
    secret: Secret.fromBase32(base32),
  });
}

/** Moves the credential's last accepted step forward to `step`; false when it is there or past it already. */
async function claimStep(m: EntityManager, id: string, step: number, now: Date): Promise<boolean> {
  const moved = await m.update(
    Credential,
    { id, type: 'totp', counter: LessThan(step) },
    { counter: step, lastUsedAt: now },
  );
  return moved.affected === 1;
}
