import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../config.js';
import { openDatabase, type Database } from '../db/database.js';
import { TooManyRequests } from '../errors.js';
import { createRateLimiter } from './rate-limit.js';

const mysqlUrl = process.env.TEST_MYSQL_URL;
const sqliteDir = mkdtempSync(join(tmpdir(), 'tessera-rate-limit-'));
after(() => rmSync(sqliteDir, { recursive: true, force: true }));

async function open(url: string): Promise<Database> {
  const db = await openDatabase(loadConfig({ DATABASE_URL: url }).database);
  await db.migrate();
  return db;
}

// A prefix of its own per run, so reruns against the same MySQL database start from zero.
const unique = (name: string) => `${name}-${process.pid}-${Date.now()}`;

async function rejectsWithRetryAfter(attempt: Promise<void>): Promise<void> {
  await assert.rejects(attempt, (err: unknown) => {
    assert.ok(err instanceof TooManyRequests);
    assert.ok(err.retryAfterSeconds > 0 && err.retryAfterSeconds <= 60);
    return true;
  });
}

const databases: [string, string | undefined][] = [
  ['sqlite', `sqlite:${join(sqliteDir, 'tessera.sqlite')}`],
  ['mysql', mysqlUrl],
];

for (const [kind, url] of databases) {
  describe(`rate limits on ${kind}`, { skip: url ? false : 'TEST_MYSQL_URL is not set' }, () => {
    let db: Database;
    after(() => db?.close());

    test('attempts within the limit pass; the next one answers 429 with a retry-after', async () => {
      db ??= await open(url!);
      const limiter = createRateLimiter(db, { points: 3, durationSeconds: 60, keyPrefix: unique('signin') });
      for (let i = 0; i < 3; i++) await limiter.consume('ada@example.com');
      await rejectsWithRetryAfter(limiter.consume('ada@example.com'));
      await limiter.consume('grace@example.com'); // another key has its own count
    });

    test('a reset, e.g. after a successful sign-in, forgets the attempts', async () => {
      db ??= await open(url!);
      const limiter = createRateLimiter(db, { points: 2, durationSeconds: 60, keyPrefix: unique('signin') });
      await limiter.consume('ada@example.com');
      await limiter.consume('ada@example.com');
      await limiter.reset('ada@example.com');
      await limiter.consume('ada@example.com');
    });

    test('two limits with different prefixes count the same key apart', async () => {
      db ??= await open(url!);
      const perIp = createRateLimiter(db, { points: 1, durationSeconds: 60, keyPrefix: unique('ip') });
      const perAccount = createRateLimiter(db, { points: 1, durationSeconds: 60, keyPrefix: unique('account') });
      await perIp.consume('k');
      await perAccount.consume('k');
      await rejectsWithRetryAfter(perIp.consume('k'));
    });
  });
}

describe('rate limits shared by instances on one MySQL database', {
  skip: mysqlUrl ? false : 'TEST_MYSQL_URL is not set',
}, () => {
  test('two instances count the same attempts against one limit', async () => {
    const first = await open(mysqlUrl!); // one after the other: two instances never migrate at once here
    const second = await open(mysqlUrl!);
    try {
      const keyPrefix = unique('shared');
      const a = createRateLimiter(first, { points: 4, durationSeconds: 60, keyPrefix });
      const b = createRateLimiter(second, { points: 4, durationSeconds: 60, keyPrefix });
      await Promise.all([a.consume('ada'), b.consume('ada'), a.consume('ada'), b.consume('ada')]);
      await rejectsWithRetryAfter(a.consume('ada'));
      await rejectsWithRetryAfter(b.consume('ada'));
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
