// Audit events keep their time to the millisecond on both databases, so a trail read newest first is in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.js';
import { recordAudit } from './audit.js';
import { AuditEvent } from './entities/index.js';

describeEachDatabase('audit events', ['audit_events'], (db) => {
  test('an event keeps the millisecond it was recorded at', async () => {
    const subject = crypto.randomUUID();
    const before = Date.now();
    await db().transaction((m) => recordAudit(m, { type: 'test.recorded', subject }));
    const after = Date.now();
    const { at } = await db().read((m) => m.findOneByOrFail(AuditEvent, { subject }));
    assert.ok(at.getTime() >= before && at.getTime() <= after, `${at.toISOString()} within [${before}, ${after}]`);
  });
});
