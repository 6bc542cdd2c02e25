// What other features may read of an account, inside the caller's transaction: how to name it, where to
// write to it, and the e-mail it proved. Only accounts/ reads the Account table.
import { type EntityManager, In } from 'typeorm';
import { Account, AccountEmail } from '../db/entities/index.js';
import { normaliseEmail } from './service.js';

/** How each account shows to others: its name, else its e-mail; absent when it has neither (or is gone). One query. */
export async function displayNamesOf(m: EntityManager, accountIds: string[]): Promise<Map<string, string>> {
  const distinct = [...new Set(accountIds)];
  const accounts = distinct.length ? await m.findBy(Account, { id: In(distinct) }) : [];
  const names = new Map<string, string>();
  for (const account of accounts) {
    const name = account.name ?? account.email;
    if (name !== null) names.set(account.id, name);
  }
  return names;
}

/** Where mail to the account goes, in its language; undefined without an e-mail address. */
export async function mailContactOf(
  m: EntityManager,
  accountId: string,
): Promise<{ email: string; locale: string | null } | undefined> {
  const account = await m.findOneBy(Account, { id: accountId });
  return account?.email ? { email: account.email, locale: account.locale } : undefined;
}

/** The account's e-mail, normalised, once verified; undefined otherwise. */
export async function verifiedEmailOf(m: EntityManager, accountId: string): Promise<string | undefined> {
  const account = await m.findOneBy(Account, { id: accountId });
  return account?.email && account.emailVerified ? normaliseEmail(account.email) : undefined;
}

/** The account's e-mail (normalised) and phone (E.164), each once verified: what bound invitations match. One query. */
export async function verifiedContactsOf(
  m: EntityManager,
  accountId: string,
): Promise<{ email?: string; phone?: string }> {
  const account = await m.findOneBy(Account, { id: accountId });
  return {
    ...(account?.email && account.emailVerified ? { email: normaliseEmail(account.email) } : {}),
    ...(account?.phone && account.phoneVerified ? { phone: account.phone } : {}),
  };
}

/**
 * Every verified e-mail of the account (its own first, then the addresses it proved for invitations,
 * accounts/account-emails.ts) and its verified phone: what bound invitations match. One query.
 */
export async function verifiedAddressesOf(
  m: EntityManager,
  accountId: string,
): Promise<{ emails: string[]; phone?: string }> {
  const rows: {
    email: string | null;
    verified: unknown;
    phone: string | null;
    phoneVerified: unknown;
    proven: string | null;
  }[] = await m
    .createQueryBuilder(Account, 'a')
    .leftJoin(AccountEmail, 'ae', 'ae.account_id = a.id')
    .select(['a.email AS email', 'a.email_verified AS verified', 'a.phone AS phone'])
    .addSelect(['a.phone_verified AS phoneVerified', 'ae.email AS proven'])
    .where('a.id = :accountId', { accountId })
    .orderBy('ae.email', 'ASC')
    .getRawMany();
  const [first] = rows;
  if (!first) return { emails: [] };
  const own = first.email && Number(first.verified) ? [normaliseEmail(first.email)] : [];
  const emails = [...new Set([...own, ...rows.flatMap((row) => (row.proven ? [row.proven] : []))])];
  return { emails, ...(first.phone && Number(first.phoneVerified) ? { phone: first.phone } : {}) };
}
