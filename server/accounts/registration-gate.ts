// Whether a sign-in may create an account. Every way an account comes into being inside a sign-in (the
// registration form, a new phone number, a first sign-in through a global connection) asks here, once:
// with REGISTRATION=invitation_only only a sign-in whose request carries a valid invitation may. The
// invitation travels as `invitation=` on /auth (the mailed link, the SMS link and an app all put it there),
// so the interaction's parameters are the one place to look. Operators and the CLI are not sign-ins.
import type { RegistrationMode } from '../config.js';
import { Forbidden } from '../errors.js';

/** The refusal every sign-up path shows: a polite page (403), the same whoever asks, naming nobody. */
export class RegistrationClosed extends Forbidden {
  constructor() {
    super('Sign-up here is by invitation only.', 'registration_invitation_only');
  }
}

export class RegistrationGate {
  constructor(
    private readonly mode: RegistrationMode,
    /** True when the token is an invitation that can be accepted now (signature, expiry, status). */
    private readonly validInvitation: (token: string) => Promise<boolean>,
  ) {}

  /** True when REGISTRATION=open, or the sign-in's request carries a valid invitation. */
  async allowed(params: Record<string, unknown>): Promise<boolean> {
    if (this.mode === 'open') return true;
    const token = params.invitation;
    return typeof token === 'string' && token.length > 0 && (await this.validInvitation(token));
  }

  /** Throws RegistrationClosed unless `allowed`. */
  async assertAllowed(params: Record<string, unknown>): Promise<void> {
    if (!(await this.allowed(params))) throw new RegistrationClosed();
  }
}

/** Anyone may sign up: the gate for tests and tools that build the pieces without configuration. */
export const OPEN_REGISTRATION = new RegistrationGate('open', async () => false);
