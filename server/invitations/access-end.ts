// When the access an invitation grants ends: an invitation may give the roles it grants (and the membership
// it makes) an end, relative to acceptance (`access_expires_in`) or fixed (`access_expires_at`).
import type { Invitation } from '../db/entities/index.js';
import { Unprocessable } from '../errors.js';

/** The longest access an invitation may grant, and the end of a fixed one at the latest: five years. */
export const MAX_ACCESS_SECONDS = 5 * 365 * 24 * 3600;

/** The end of the access accepting this invitation at `now` grants; null: none. */
export function accessEndOf(invitation: Invitation, now = new Date()): Date | null {
  if (invitation.accessExpiresAt) return invitation.accessExpiresAt;
  if (invitation.accessExpiresIn)
    return new Date((Math.floor(now.getTime() / 1000) + invitation.accessExpiresIn) * 1000);
  return null;
}

/** The columns an invitation keeps for the access it grants. */
export function accessEndColumns(input: { accessExpiresIn?: number; accessExpiresAt?: string; renews?: boolean }) {
  return {
    accessExpiresIn: input.accessExpiresIn ?? null,
    // Whole seconds, as MySQL's DATETIME stores them.
    accessExpiresAt: input.accessExpiresAt
      ? new Date(Math.floor(Date.parse(input.accessExpiresAt) / 1000) * 1000)
      : null,
    renews: input.renews ?? false,
  };
}

/** A fixed end must come after the invitation's own expiry, so that whoever accepts it gets some access. */
export function assertAccessOutlasts(invitation: Invitation): void {
  if (invitation.accessExpiresAt && invitation.accessExpiresAt <= invitation.expiresAt)
    throw new Unprocessable(
      'access_expires_at must come after the invitation expires (expires_in), or whoever accepts it late gets no access.',
      'access_ends_too_soon',
    );
}
