// An account's second factors together: what it has, and whether a first factor needs a second. The
// services for each kind (passkeys.ts, totp.ts, recovery-codes.ts) hold their own rules.
import type { AccountService } from '../accounts/service.js';
import type { PasskeyService } from './passkeys.js';
import type { RecoveryCodes } from './recovery-codes.js';
import type { TotpService } from './totp.js';

/** What the second-factor page and the account page show. */
export interface FactorSummary {
  totp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

export class SecondFactors {
  constructor(
    readonly totp: TotpService,
    readonly passkeys: PasskeyService,
    readonly recovery: RecoveryCodes,
  ) {}

  async summary(accountId: string): Promise<FactorSummary> {
    const [totp, passkeys, recoveryCodes] = await Promise.all([
      this.totp.enrolled(accountId),
      this.passkeys.count(accountId),
      this.recovery.remaining(accountId),
    ]);
    return { totp, passkeys, recoveryCodes };
  }

  /** An authenticator app or a passkey; recovery codes alone are a way back in, not a factor to ask for. */
  async has(accountId: string): Promise<boolean> {
    const [totp, passkeys] = await Promise.all([this.totp.enrolled(accountId), this.passkeys.count(accountId)]);
    return totp || passkeys > 0;
  }

  /** After a first factor: ask for the second the account has, or enrol one when the app or tenant wants it. */
  async needed(accountId: string, mfaAskedFor: boolean): Promise<boolean> {
    return mfaAskedFor || (await this.has(accountId));
  }

  /**
   * The first recovery codes come with the first second factor (a way back in if the phone is lost);
   * undefined when the account has codes already.
   */
  async firstRecoveryCodes(accountId: string): Promise<string[] | undefined> {
    return (await this.recovery.remaining(accountId)) > 0 ? undefined : this.recovery.generate(accountId);
  }
}

/** How an authenticator app names the account beside its codes: the e-mail, else the phone, else the name. */
export async function accountLabel(accounts: AccountService, accountId: string): Promise<string> {
  const account = await accounts.findById(accountId);
  return account?.email ?? account?.phone ?? account?.name ?? accountId;
}
