// Database turns every unique-key clash into one 409 that names the field, on both databases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.js';
import { Conflict } from '../errors.js';
import { Secret, Tenant } from './entities/index.js';
import { isUniqueViolation, UniqueViolation } from './errors.js';

describeEachDatabase('unique-key clashes', ['secrets', 'tenants'], (db) => {
  const tenant = (slug: string) => ({
    id: crypto.randomUUID(),
    slug,
    name: slug,
    attributes: '{}',
    createdAt: new Date(),
    updatedAt: new Date(),
    deletedAt: null,
  });

  test('a taken slug, in a transaction, is a 409 slug_taken naming the slug', async () => {
    await db().transaction((m) => m.insert(Tenant, tenant('acme')));
    await assert.rejects(
      db().transaction((m) => m.insert(Tenant, tenant('acme'))),
      (error: unknown) => {
        assert.ok(error instanceof UniqueViolation && error instanceof Conflict);
        assert.equal(error.status, 409);
        assert.equal(error.code, 'slug_taken');
        assert.equal(error.field, 'slug');
        assert.ok(isUniqueViolation(error), 'callers that look for a clash still recognise it');
        return true;
      },
    );
  });

  test('a clash on a key no one described, outside a transaction, is a 409 naming its column', async () => {
    const secret = { name: 'cookie', value: 'v', createdAt: new Date() };
    await db().write((m) => m.insert(Secret, secret));
    await assert.rejects(
      db().write((m) => m.insert(Secret, secret)),
      (error: unknown) => {
        assert.ok(error instanceof UniqueViolation);
        assert.equal(error.code, 'conflict');
        assert.equal(error.field, 'name');
        assert.match(error.description, /\bname\b/);
        return true;
      },
    );
  });
});
