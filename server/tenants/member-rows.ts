// A member as the admin page's table shows them: where their membership came from, who granted it, and when
// their access (or each role) ends or ended, in the page's words.
import type { MembershipView, SourceView } from './membership-views.js';
import { looksLikeUuid } from './schemas.js';

export interface MemberRow extends MembershipView {
  /** Every role held, ended ones too (the roles form keeps them unless unticked). */
  held: string[];
  /** The message key and values saying where the membership came from; undefined when unknown. */
  origin?: { key: string; values: Record<string, string> };
  /** Per role with an end: the day, and whether it passed. */
  ends: Record<string, { on: string; ended: boolean }>;
  /** The day the membership ends (or ended); the date input's value. */
  endsOn: string;
}

const day = (iso: string | null) => iso?.slice(0, 10) ?? '';

function originOf(source: SourceView, names: Map<string, string>): MemberRow['origin'] {
  const by = source.granted_by ? (names.get(source.granted_by) ?? source.granted_by) : '';
  const on = day(source.granted_at);
  switch (source.type) {
    case 'invitation':
      return { key: by ? 'manage.source.invitation' : 'manage.source.invitation_anon', values: { by, on } };
    case 'domain':
      return {
        key: by ? 'manage.source.domain_approved' : 'manage.source.domain',
        values: { domain: source.domain ?? '', by, on },
      };
    case 'sso':
      return { key: 'manage.source.sso', values: { connection: source.connection ?? '', on } };
    case 'admin':
      return { key: by ? 'manage.source.admin' : 'manage.source.admin_anon', values: { by, on } };
    case 'operator':
      return { key: 'manage.source.operator', values: { on } };
    case 'self_service':
      return { key: 'manage.source.self_service', values: { on } };
    default:
      return undefined;
  }
}

/** How accounts are named to others (accounts/ knows; app.ts passes it in): name, else e-mail. */
export type NamesOf = (accountIds: string[]) => Promise<Map<string, string>>;

/** The accounts that granted these memberships and roles (a client's grant keeps its `client:` id). */
const grantorsOf = (views: MembershipView[]) =>
  views
    .flatMap((v) => [v.source.granted_by, ...v.role_grants.map((r) => r.source.granted_by)])
    .filter((id): id is string => !!id && looksLikeUuid(id));

export async function memberRows(namesOf: NamesOf, views: MembershipView[]): Promise<MemberRow[]> {
  const names = await namesOf(grantorsOf(views));
  return views.map((v) => ({
    ...v,
    held: v.role_grants.map((r) => r.role),
    origin: originOf(v.source, names),
    ends: Object.fromEntries(
      v.role_grants.filter((r) => r.expires_at).map((r) => [r.role, { on: day(r.expires_at), ended: r.ended }]),
    ),
    endsOn: day(v.access_expires_at),
  }));
}
