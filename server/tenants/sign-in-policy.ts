// A tenant's sign-in policy: whether its members need a second factor while it is their active tenant, and
// which first factors they may use. Stored as JSON on the tenant; enforced by factors/ after the tenant prompts.
import { z } from 'zod';

/**
 * First factors a policy may allow: the first `amr` value of a sign-in (RFC 8176, and `fed` for an upstream
 * provider). As a first factor `otp` is an e-mail code (authenticator apps and recovery codes only come second).
 */
export const FIRST_FACTORS = ['pwd', 'hwk', 'swk', 'fed', 'sms', 'otp'] as const;
export type FirstFactor = (typeof FIRST_FACTORS)[number];

export const SignInPolicy = z
  .object({
    require_mfa: z.boolean().default(false).describe('members need a second factor while this tenant is active'),
    allowed_first_factors: z
      .array(z.enum(FIRST_FACTORS))
      .min(1, 'allow at least one first factor')
      .max(FIRST_FACTORS.length)
      .nullable()
      .default(null)
      .describe('the amr values members may sign in with (hwk/swk: passkeys); null allows every one'),
  })
  .strict();
export type SignInPolicy = z.output<typeof SignInPolicy>;

export const NO_POLICY: SignInPolicy = { require_mfa: false, allowed_first_factors: null };

/** The stored JSON read back; a column written by an older or broken version counts as no policy. */
export function parseSignInPolicy(stored: string | null): SignInPolicy {
  if (!stored) return NO_POLICY;
  try {
    const parsed = SignInPolicy.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : NO_POLICY;
  } catch {
    return NO_POLICY;
  }
}

/** Whether a session's first factor (the first `amr` value: second factors are added after it) is allowed. */
export function firstFactorAllowed(policy: SignInPolicy, amr: readonly string[]): boolean {
  const first = amr[0];
  return (
    policy.allowed_first_factors === null ||
    (first !== undefined && (policy.allowed_first_factors as string[]).includes(first))
  );
}
