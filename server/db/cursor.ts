// Opaque pagination cursors: the id of the last row seen, so pages stay stable while rows are added.
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

/**
 * Escapes LIKE wildcards so a search for `50%` finds 50%, not everything. The escape character is `!`
 * (use `ESCAPE '!'`): a backslash would need different quoting on MySQL and SQLite.
 */
export const LIKE_ESCAPE = "ESCAPE '!'";
export const likePattern = (text: string) => `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
