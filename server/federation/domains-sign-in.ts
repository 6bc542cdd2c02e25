// How people of a verified domain sign in: the tenant's connection that signs them in (home-realm
// discovery) and whether a password may still be used for the domain's addresses. The rules of a change.
import { type EntityManager, IsNull } from 'typeorm';
import { Connection, type TenantDomain } from '../db/entities/index.js';
import { Conflict, Unprocessable } from '../errors.js';

/** A change of a domain's sign-in; an absent field stays as it is. */
export interface DomainSignInPatch {
  ssoConnectionId?: string | null;
  passwordSignIn?: boolean;
}

/**
 * The domain's sign-in after `patch`, checked: only a verified domain routes or refuses passwords (an
 * unverified claim proves nothing, and several tenants may hold one); only an enabled connection of the
 * domain's own tenant; and a password is turned off only where a connection signs people in instead.
 */
export async function signInAfter(
  m: EntityManager,
  row: TenantDomain,
  patch: DomainSignInPatch,
): Promise<{ ssoConnectionId: string | null; passwordSignIn: boolean }> {
  const next = {
    ssoConnectionId: patch.ssoConnectionId === undefined ? row.ssoConnectionId : patch.ssoConnectionId,
    passwordSignIn: patch.passwordSignIn ?? row.passwordSignIn,
  };
  if (!row.verifiedAt && (next.ssoConnectionId || !next.passwordSignIn))
    throw new Conflict('Verify the domain before choosing how its people sign in.', 'domain_not_verified');
  if (
    patch.ssoConnectionId &&
    !(await m.existsBy(Connection, { id: patch.ssoConnectionId, tenantId: row.tenantId, disabledAt: IsNull() }))
  )
    throw new Unprocessable('Choose an enabled connection of this tenant.', 'connection_not_usable');
  if (!next.passwordSignIn && !next.ssoConnectionId)
    throw new Unprocessable(
      'Password sign-in can be turned off only for a domain that signs in through a connection.',
      'password_needs_connection',
    );
  return next;
}
