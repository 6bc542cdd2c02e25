// Bounds on free-form JSON from clients. Everything recursive (zod's z.json(), JSON.stringify, the
// database driver) overflows the stack on JSON nested a few thousand deep, so depth and size are
// measured here first, by an iterative walk that no input can make recurse.
import { z } from 'zod';

export interface JsonShape {
  /** Nesting of objects and arrays: `{}` is 1, `{"a":[1]}` is 2. */
  depth: number;
  /** Object keys and array items, counted over the whole value. */
  entries: number;
}

/** Measures a parsed value without recursion; stops early once `stopAtDepth` is passed. */
export function measureJson(value: unknown, stopAtDepth = Infinity): JsonShape {
  let depth = 0;
  let entries = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [node, level] = pending.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    depth = Math.max(depth, level);
    if (depth > stopAtDepth) break;
    const children = Array.isArray(node) ? node : Object.values(node);
    entries += children.length;
    for (const child of children) if (typeof child === 'object' && child !== null) pending.push([child, level + 1]);
  }
  return { depth, entries };
}

export interface JsonObjectLimits {
  maxDepth: number;
  maxEntries: number;
  maxBytes: number;
}

/** The bounds of the free-form JSON an app may keep on a tenant (`attributes`) or an invitation (`metadata`). */
export const FREE_FORM_JSON: JsonObjectLimits = { maxDepth: 10, maxEntries: 500, maxBytes: 16_384 };

/**
 * A JSON object with string keys of at most 100 characters, at most `maxDepth` deep, `maxEntries`
 * keys and items in all, and `maxBytes` when serialised. The bounds are checked before the value's
 * structure is validated, so no validation ever recurses deeper than `maxDepth`.
 */
export function boundedJsonObject({ maxDepth, maxEntries, maxBytes }: JsonObjectLimits) {
  const shape = z.record(z.string().max(100), z.json());
  return z.preprocess((value, ctx) => {
    const { depth, entries } = measureJson(value, maxDepth);
    const problem =
      depth > maxDepth
        ? `nested too deep (at most ${maxDepth} levels)`
        : entries > maxEntries
          ? `too many keys and items (at most ${maxEntries})`
          : JSON.stringify(value ?? null).length > maxBytes
            ? `at most ${maxBytes % 1024 ? `${maxBytes} bytes` : `${maxBytes / 1024} KiB`} of JSON`
            : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
    return value;
  }, shape);
}
