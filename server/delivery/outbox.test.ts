import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutboxMessage } from '../db/entities/outbox-message.js';
import { enqueueMessage, getMessage, listMessages, type NewMessage } from './outbox.js';
import { describeEachDatabase } from '../../test/support/databases.js';

const welcome: NewMessage = {
  channel: 'email',
  recipient: 'ada@example.com',
  subject: 'Welcome',
  bodyText: 'Hello Ada',
};

describeEachDatabase('outbox', ['outbox'], (db) => {
  test('enqueueMessage_queuesTheMessage_whenTheTransactionCommits', async () => {
    const id = await db().transaction((m) => enqueueMessage(m, { ...welcome, bodyHtml: '<p>Hello Ada</p>' }));

    const row = await getMessage(db(), id);
    assert.ok(row);
    assert.deepEqual(
      {
        channel: row.channel,
        recipient: row.recipient,
        subject: row.subject,
        bodyText: row.bodyText,
        bodyHtml: row.bodyHtml,
      },
      {
        channel: 'email',
        recipient: 'ada@example.com',
        subject: 'Welcome',
        bodyText: 'Hello Ada',
        bodyHtml: '<p>Hello Ada</p>',
      },
    );
    assert.equal(row.status, 'queued');
    assert.equal(row.attempts, 0);
    assert.equal(row.lastError, null);
    assert.equal(row.sentAt, null);
  });

  test('enqueueMessage_leavesNoMessage_whenTheCallersTransactionRollsBack', async () => {
    let id = '';
    await assert.rejects(
      db().transaction(async (m) => {
        id = await enqueueMessage(m, welcome);
        throw new Error('the cause of the message failed');
      }),
      /the cause of the message failed/,
    );

    assert.notEqual(id, '');
    assert.equal(await getMessage(db(), id), null);
    assert.equal(await db().read((m) => m.count(OutboxMessage)), 0);
  });

  test('enqueueMessage_refusesASubjectLongerThanItsColumn', async () => {
    await assert.rejects(
      db().transaction((m) => enqueueMessage(m, { ...welcome, subject: 'x'.repeat(301) })),
      RangeError,
    );
  });

  test('listMessages_givesTheNewestFirst_filteredByRecipientAndLimited', async () => {
    const ids = [];
    for (const [i, recipient] of [
      'ada@example.com',
      'bob@example.com',
      'ada@example.com',
      'ada@example.com',
    ].entries()) {
      const id = await db().transaction((m) => enqueueMessage(m, { ...welcome, recipient }));
      // MySQL keeps whole seconds: give each message its own second so the order is certain.
      await db().write((m) => m.update(OutboxMessage, { id }, { createdAt: new Date(Date.UTC(2030, 0, 1, 0, 0, i)) }));
      ids.push(id);
    }

    const adas = await listMessages(db(), { limit: 2, recipient: 'ada@example.com' });
    assert.deepEqual(
      adas.map((m) => m.id),
      [ids[3], ids[2]],
    );
    const all = await listMessages(db(), { limit: 10 });
    assert.deepEqual(
      all.map((m) => m.id),
      [...ids].reverse(),
    );
  });

  test('getMessage_givesNull_forAnUnknownId', async () => {
    assert.equal(await getMessage(db(), '00000000-0000-0000-0000-000000000000'), null);
  });
});
