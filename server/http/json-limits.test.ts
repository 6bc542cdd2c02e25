import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { boundedJsonObject, measureJson } from './json-limits.js';

/** Built in a loop: a million levels would overflow any recursive reader. */
function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

test('measuring JSON a million levels deep does not overflow the stack', () => {
  assert.deepEqual(measureJson(nested(1_000_000)), { depth: 1_000_000, entries: 1_000_000 });
  assert.equal(measureJson(nested(1_000_000), 5).depth, 6, 'stops once past the bound');
  assert.deepEqual(measureJson({ a: [1, 2, { b: null }], c: 'x' }), { depth: 3, entries: 6 });
  assert.deepEqual(measureJson('text'), { depth: 0, entries: 0 });
});

test('a bounded JSON object refuses depth, entries and size over its limits, each with its own message, before validating', () => {
  const schema = z.object({ data: boundedJsonObject({ maxDepth: 3, maxEntries: 5, maxBytes: 100 }) });
  const message = (data: unknown) => schema.safeParse({ data }).error?.issues[0]?.message;
  assert.equal(message({ a: { b: [1] } }), undefined);
  assert.match(message(nested(100_000)) ?? '', /nested too deep \(at most 3 levels\)/);
  assert.match(message({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }) ?? '', /too many keys and items \(at most 5\)/);
  assert.match(message({ a: 'x'.repeat(200) }) ?? '', /at most 100 bytes of JSON/);
  assert.ok(message([1]), 'an array is not an object');
  assert.ok(message({ a: undefined }), 'undefined is not JSON');
});
