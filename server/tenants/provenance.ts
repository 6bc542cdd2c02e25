// Where a membership or role came from, as a grant states it and as rows and events keep it.
import type { SourceType } from '../db/entities/index.js';

/** Where a grant comes from, kept on the membership it makes and on each role it adds. */
export interface GrantSource {
  type: SourceType;
  /** The invitation id, the connection's slug, the domain. */
  ref?: string | null;
  /** The jti of the accepted invitation token. */
  jti?: string | null;
  /** Who granted it: the inviter, the admin approving a request; null when the person's own act did. */
  grantedBy?: string | null;
}

/** The provenance columns of a role or membership a grant writes. */
export function provenanceOf(source: GrantSource, expiresAt: Date | null | undefined) {
  return {
    source: source.type,
    sourceRef: source.ref ?? null,
    sourceJti: source.jti ?? null,
    grantedBy: source.grantedBy ?? null,
    expiresAt: expiresAt ?? null,
    endedRecordedAt: null,
  };
}

/** The source as events carry it (only what is known). */
export function sourceData(source: GrantSource) {
  return {
    type: source.type,
    ...(source.ref ? { ref: source.ref } : {}),
    ...(source.jti ? { jti: source.jti } : {}),
    ...(source.grantedBy ? { granted_by: source.grantedBy } : {}),
  };
}
