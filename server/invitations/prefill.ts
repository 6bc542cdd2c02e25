// The sign-up fields a valid invitation pre-fills (its `profile`), for the registration pages.
import type { Prefill } from '../accounts/prefill.js';
import type { Database } from '../db/database.js';
import { Invitation } from '../db/entities/index.js';
import type { RedemptionService } from './redemption.js';

/** The invitation's pre-filled fields, when `token` is a usable invitation that has any. */
export async function prefillOf(
  db: Database,
  redemption: RedemptionService,
  token: string,
): Promise<Prefill | undefined> {
  const invitation = await redemption.open(token).catch(() => undefined);
  if (!invitation) return undefined;
  const row = await db.read((m) => m.findOneBy(Invitation, { id: invitation.id }));
  return row?.profile ? (JSON.parse(row.profile) as Prefill) : undefined;
}
