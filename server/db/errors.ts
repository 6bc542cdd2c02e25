// Recognises database errors that the services turn into answers of their own.
import { Conflict, ServiceUnavailable } from '../errors.js';

/** A unique-key clash, as MySQL (ER_DUP_ENTRY) or SQLite reports it (or as Database already mapped it). */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof UniqueViolation) return true;
  const e = error as { code?: string; driverError?: { code?: string }; message?: string } | undefined;
  return (
    e?.code === 'ER_DUP_ENTRY' ||
    e?.driverError?.code === 'ER_DUP_ENTRY' ||
    /UNIQUE constraint failed/i.test(e?.message ?? '')
  );
}

/** InnoDB chose this transaction as a deadlock victim and rolled it back (ER_LOCK_DEADLOCK, 1213): run it again. */
export function isDeadlock(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; driverError?: { code?: string } } | undefined;
  return e?.code === 'ER_LOCK_DEADLOCK' || e?.errno === 1213 || e?.driverError?.code === 'ER_LOCK_DEADLOCK';
}

/**
 * The database node cannot serve now: a Galera node outside the primary component (or rejoining) answers
 * every real query with 1047 "WSREP has not yet prepared node for application use", and a killed node drops
 * or refuses its connections. Another node (or this one, in a moment) will serve: 503 with Retry-After.
 */
const UNAVAILABLE_CODES = new Set([
  'ER_UNKNOWN_COM_ERROR', // 1047, as Galera uses it
  'PROTOCOL_CONNECTION_LOST',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);

export function toUnavailable(error: unknown): ServiceUnavailable | undefined {
  if (error instanceof ServiceUnavailable) return error;
  const e = error as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } } | undefined;
  const code = e?.driverError?.code ?? e?.code;
  const errno = e?.driverError?.errno ?? e?.errno;
  if (!(errno === 1047 || (code !== undefined && UNAVAILABLE_CODES.has(code)))) return undefined;
  return new ServiceUnavailable(1, 'The database is not available right now. Please retry in a moment.');
}

/** A 409 for a value that must be unique: two requests raced for it, or it was taken already. */
export class UniqueViolation extends Conflict {
  constructor(
    readonly field: string,
    description: string,
    code: string,
  ) {
    super(description, code);
  }
}

/** The unique keys a request can run into, per table, in the API's words (a table's other keys are random ids). */
const KEYS: Readonly<Record<string, { field: string; code: string; description: string }>> = {
  tenants: { field: 'slug', code: 'slug_taken', description: 'The slug is taken by another tenant.' },
  tenant_roles: { field: 'name', code: 'role_exists', description: 'The tenant has a role with this name already.' },
  memberships: {
    field: 'account_id',
    code: 'already_member',
    description: 'The account is a member of this tenant already.',
  },
  credentials: {
    field: 'email',
    code: 'email_taken',
    description: 'This e-mail address signs in to another account already.',
  },
};

/** A table's primary-key columns, for a clash MySQL reports only as "for key 'PRIMARY'". */
export type PrimaryKeyOf = (table: string) => string[] | undefined;

/** The 409 for a unique-key clash, naming the field; undefined for any other error. */
export function toUniqueViolation(
  error: unknown,
  primaryKeyOf: PrimaryKeyOf = () => undefined,
): UniqueViolation | undefined {
  if (error instanceof UniqueViolation) return error;
  if (!isUniqueViolation(error)) return undefined;
  const table = tableOf(error);
  const known = table === undefined ? undefined : KEYS[table];
  if (known) return new UniqueViolation(known.field, known.description, known.code);
  const field = fieldOf(error, table, primaryKeyOf);
  return new UniqueViolation(field, `Another record has the same ${field}.`, 'conflict');
}

/** The table the failing INSERT or UPDATE wrote (TypeORM keeps the statement on its error). */
function tableOf(error: unknown): string | undefined {
  const query = (error as { query?: unknown }).query;
  if (typeof query === 'string') {
    const match = /^\s*(?:INSERT\s+INTO|UPDATE)\s+[`"]?(\w+)/i.exec(query);
    if (match) return match[1];
  }
  return /UNIQUE constraint failed: (\w+)\./i.exec((error as Error).message ?? '')?.[1];
}

/** The columns (SQLite) or the key's name (MySQL) of a clash on a key not described above. */
function fieldOf(error: unknown, table: string | undefined, primaryKeyOf: PrimaryKeyOf): string {
  const message = (error as Error).message ?? '';
  const columns = /UNIQUE constraint failed: (.+)$/im.exec(message)?.[1];
  if (columns)
    return columns
      .split(',')
      .map((c) => c.trim().replace(/^\w+\./, ''))
      .join(', ');
  const key = /for key '(?:\w+\.)?(\w+)'/i.exec(message)?.[1];
  if (key === 'PRIMARY' && table) return primaryKeyOf(table)?.join(', ') ?? 'id';
  return key ? key.replace(new RegExp(`^uq_${table ?? ''}_?`), '') : 'value';
}
