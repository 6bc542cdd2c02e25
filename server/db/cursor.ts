// Opaque pagination cursors: the id of the last row seen, so pages stay stable while rows are added.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { BadRequest } from '../errors.js';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export const encodeCursor = (lastId: string) => Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const { after } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof after === 'string' && after.length <= 64) return after;
  } catch {
    // fall through to the error below
  }
  throw new BadRequest('The cursor is not one this server gave out.', 'invalid_cursor');
}

/** Cuts a result fetched with `limit + 1` rows into a page and the cursor for the next one. */
export function toPage<T, R>(rows: R[], limit: number, idOf: (row: R) => string, map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { items: kept.map(map), next_cursor: more ? encodeCursor(idOf(kept[kept.length - 1]!)) : null };
}

/** A page of a short list held whole (global connections, API resources), ordered by id like `toPage`. */
export function pageList<T>(
  all: T[],
  idOf: (item: T) => string,
  { limit, cursor }: { limit: number; cursor?: string },
) {
  const after = decodeCursor(cursor);
  const rest = all
    .filter((item) => after === undefined || idOf(item) > after)
    .sort((a, b) => (idOf(a) < idOf(b) ? -1 : 1));
  return toPage(rest.slice(0, limit + 1), limit, idOf, (item) => item);
}

/** A place in a listing ordered by a sort key, then id: the row's key and id, and whether to read back from it. */
export interface Position {
  key: string;
  id: string;
  back: boolean;
}

/** A page of a listing that can be read both ways, for "previous" and "next" links. */
export interface TwoWayPage<T> extends Page<T> {
  previous_cursor: string | null;
}

const encodePosition = ({ key, id, back }: Position) =>
  Buffer.from(JSON.stringify(back ? { key, id, back } : { key, id })).toString('base64url');
const invalidCursor = () => new BadRequest('The cursor is not one this server gave out.', 'invalid_cursor');

export function decodePosition(cursor: string | undefined): Position | undefined {
  if (!cursor) return undefined;
  let parsed: { key?: unknown; id?: unknown; back?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw invalidCursor();
  }
  const { key, id, back } = parsed ?? {};
  if (
    typeof key !== 'string' ||
    key.length > 400 ||
    typeof id !== 'string' ||
    id.length > 64 ||
    (back !== undefined && back !== true)
  )
    throw invalidCursor();
  return { key, id, back: back === true };
}

/** A key that is a point in time (as `toISOString` wrote it), for `orderFrom`'s `keyParam`. */
export function timeKey(key: string): Date {
  const time = new Date(key);
  if (Number.isNaN(time.getTime())) throw invalidCursor();
  return time;
}

/**
 * Orders a query by `keyExpr` then `idExpr` and starts it after (or, reading back, before) a position:
 * a keyset, so rows added or removed meanwhile shift nothing. The database compares the keys, with the same
 * expression and collation in WHERE and ORDER BY, so no row is skipped or shown twice.
 */
export function orderFrom<E extends ObjectLiteral>(
  q: SelectQueryBuilder<E>,
  keyExpr: string,
  idExpr: string,
  direction: 'ASC' | 'DESC',
  at: Position | undefined,
  keyParam: (key: string) => unknown = (k) => k,
): void {
  const ascending = (direction === 'ASC') !== Boolean(at?.back);
  const [order, beyond] = ascending ? (['ASC', '>'] as const) : (['DESC', '<'] as const);
  q.orderBy(keyExpr, order).addOrderBy(idExpr, order);
  if (at)
    q.andWhere(`(${keyExpr} ${beyond} :cursorKey OR (${keyExpr} = :cursorKey AND ${idExpr} ${beyond} :cursorId))`, {
      cursorKey: keyParam(at.key),
      cursorId: at.id,
    });
}

/** Cuts rows fetched by `orderFrom` with `limit + 1` into a page, with cursors to the pages after and before it. */
export function toTwoWayPage<T, R>(
  rows: R[],
  limit: number,
  at: Position | undefined,
  placeOf: (row: R) => { key: string; id: string },
  map: (row: R) => T,
): TwoWayPage<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  if (at?.back) kept.reverse();
  const first = kept[0];
  const last = kept[kept.length - 1];
  // Reading forward there is a page before when we came from one; reading back, there is one after.
  const hasNext = at?.back ? true : more;
  const hasPrevious = at?.back ? more : Boolean(at);
  return {
    items: kept.map(map),
    next_cursor: hasNext && last ? encodePosition({ ...placeOf(last), back: false }) : null,
    previous_cursor: hasPrevious && first ? encodePosition({ ...placeOf(first), back: true }) : null,
  };
}

/**
 * Escapes LIKE wildcards so a search for `50%` finds 50%, not everything. The escape character is `!`
 * (use `ESCAPE '!'`): a backslash would need different quoting on MySQL and SQLite.
 */
export const LIKE_ESCAPE = "ESCAPE '!'";
export const likePattern = (text: string) => `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
