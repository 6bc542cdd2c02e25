import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { beforeEach, test } from 'node:test';
import { pino } from 'pino';
import { OutboxMessage } from '../db/entities/outbox-message.js';
import { enqueueMessage, getMessage, type NewMessage } from './outbox.js';
import { describeEachDatabase } from '../../test/support/databases.js';
import { within } from '../../test/support/waits.js';
import type { Transport } from './transports.js';
import { DeliveryWorker, MAX_ATTEMPTS, type DeliveryLogger } from './worker.js';

const SECRET_LINK = 'https://id.example.com/verify?token=s3cr3t-t0ken';
const email: NewMessage = {
  channel: 'email',
  recipient: 'ada@example.com',
  subject: 'Your sign-in code 424242',
  bodyText: `Open ${SECRET_LINK}`,
  bodyHtml: `<a href="${SECRET_LINK}">Open</a>`,
};
const sms: NewMessage = { channel: 'sms', recipient: '+15550100', subject: 'Code', bodyText: 'Your code is 424242' };

/** A transport that records what it sent and fails while told to. */
class FakeTransport implements Transport {
  sent: string[] = [];
  failWith: Error | undefined;
  async send(msg: OutboxMessage): Promise<void> {
    // Yield, so two workers sending at once really interleave.
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.failWith) throw this.failWith;
    this.sent.push(msg.id);
  }
}

const silent: DeliveryLogger = { info() {}, warn() {}, error() {} };

describeEachDatabase('delivery worker', ['outbox'], (db) => {
  let transport: FakeTransport;
  // The worker's clock, a little ahead of real time: MySQL may round a fresh row's time up a second.
  let clock: Date;
  const worker = (logger: DeliveryLogger = silent) =>
    new DeliveryWorker(db(), { email: transport }, logger, { now: () => clock });
  const enqueue = (msg: NewMessage) => db().transaction((m) => enqueueMessage(m, msg));
  const later = (ms: number) => (clock = new Date(clock.getTime() + ms));
  const row = async (id: string) => (await getMessage(db(), id))!;

  beforeEach(() => {
    transport = new FakeTransport();
    clock = new Date(Date.now() + 5_000);
  });

  test('worker_sendsAQueuedMessage_andMarksItSent', async () => {
    const id = await enqueue(email);

    assert.equal(await worker().runOnce(), 1);

    assert.deepEqual(transport.sent, [id]);
    const sent = await row(id);
    assert.equal(sent.status, 'sent');
    assert.equal(sent.attempts, 1);
    assert.ok(sent.sentAt);
    assert.equal(await worker().runOnce(), 0, 'a sent message is not sent again');
    assert.equal(transport.sent.length, 1);
  });

  test('worker_countsTheAttemptAndBacksOff_whenTheSendFails', async () => {
    const id = await enqueue(email);
    transport.failWith = new Error('connection refused');

    assert.equal(await worker().runOnce(), 0);

    const failed = await row(id);
    assert.equal(failed.status, 'queued');
    assert.equal(failed.attempts, 1);
    assert.match(failed.lastError ?? '', /connection refused/);
    // 30 s later, give or take MySQL's whole seconds.
    assert.ok(
      Math.abs(failed.nextAttemptAt.getTime() - (clock.getTime() + 30_000)) < 1_000,
      `next attempt ${failed.nextAttemptAt.toISOString()}`,
    );

    transport.failWith = undefined;
    later(20_000);
    assert.equal(await worker().runOnce(), 0, 'not retried before the backoff ends');
    later(11_000);
    assert.equal(await worker().runOnce(), 1, 'retried once the backoff ends');
    assert.equal((await row(id)).attempts, 2);
  });

  test('worker_keepsTheBodySubjectAndLinksOutOfLastError_andCutsItTo1000Characters', async () => {
    const id = await enqueue(email);
    transport.failWith = new Error(
      `550 rejected "${email.subject}" ${email.bodyText} at ${SECRET_LINK} ${'x'.repeat(2000)}`,
    );

    await worker().runOnce();

    const lastError = (await row(id)).lastError ?? '';
    assert.match(lastError, /550 rejected/);
    assert.ok(!lastError.includes('424242') && !lastError.includes('s3cr3t'), lastError.slice(0, 200));
    assert.equal(lastError.length, 1000);
  });

  test('worker_marksTheMessageFailed_afterTheLastAttempt', async () => {
    const id = await enqueue(email);
    transport.failWith = new Error('mailbox unavailable');

    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      assert.equal((await row(id)).status, 'queued', `still queued before attempt ${i + 1}`);
      await worker().runOnce();
      later(2 * 60 * 60_000);
    }

    const failed = await row(id);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.attempts, MAX_ATTEMPTS);
    assert.match(failed.lastError ?? '', /mailbox unavailable/);
    transport.failWith = undefined;
    assert.equal(await worker().runOnce(), 0, 'a failed message is not tried again');
  });

  test('worker_leavesAMessageQueuedAndUntouched_whenItsChannelHasNoTransport', async () => {
    const id = await enqueue(sms);
    const before = await row(id);

    assert.equal(await worker().runOnce(), 0);

    assert.deepEqual(await row(id), before);
  });

  test('twoWorkersRunningAtOnce_sendEachOfTwentyMessagesExactlyOnce', async () => {
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await enqueue({ ...email, recipient: `user${i}@example.com` }));

    const [a, b] = await Promise.all([worker().runOnce(), worker().runOnce()]);

    assert.equal(a + b, 20);
    assert.deepEqual([...transport.sent].sort(), [...ids].sort());
    const rows = await db().read((m) => m.find(OutboxMessage));
    assert.ok(rows.every((r) => r.status === 'sent' && r.attempts === 1));
  });

  test('worker_logsIdsChannelsAndAttempts_butNeverTheBodySubjectOrLinks', async () => {
    let logged = '';
    const logger = pino(
      { level: 'info' },
      new Writable({
        write: (chunk, _enc, done) => {
          logged += String(chunk);
          done();
        },
      }),
    );
    const failing = await enqueue(email);
    transport.failWith = new Error(`rejected ${email.bodyText}`);
    await worker(logger).runOnce();
    transport.failWith = undefined;
    const sending = await enqueue(email);
    await worker(logger).runOnce();

    assert.ok(logged.includes(failing) && logged.includes(sending), logged);
    for (const secret of ['424242', 's3cr3t', 'sign-in code', 'https://'])
      assert.ok(!logged.includes(secret), `log holds "${secret}"`);
  });

  test('worker_deletesSentMessagesOlderThanAWeek_atMostOnceAnHour', async () => {
    const oldSent = await enqueue(email);
    const recentSent = await enqueue(email);
    const oldQueued = await enqueue(sms);
    const daysAgo = (days: number) => new Date(clock.getTime() - days * 24 * 60 * 60_000);
    await db().write((m) =>
      m.update(OutboxMessage, { id: oldSent }, { status: 'sent', sentAt: daysAgo(8), createdAt: daysAgo(8) }),
    );
    await db().write((m) => m.update(OutboxMessage, { id: recentSent }, { status: 'sent', sentAt: daysAgo(6) }));
    await db().write((m) => m.update(OutboxMessage, { id: oldQueued }, { createdAt: daysAgo(30) }));
    const theWorker = worker();

    await theWorker.runOnce();

    assert.equal(await getMessage(db(), oldSent), null);
    assert.ok(await getMessage(db(), recentSent));
    assert.ok(await getMessage(db(), oldQueued), 'unsent messages are kept');

    await db().write((m) => m.update(OutboxMessage, { id: recentSent }, { sentAt: daysAgo(8) }));
    await theWorker.runOnce();
    assert.ok(await getMessage(db(), recentSent), 'no second clean-up within the hour');
    later(60 * 60_000);
    await theWorker.runOnce();
    assert.equal(await getMessage(db(), recentSent), null, 'cleaned up again an hour later');
  });

  test('stop_waitsForTheSendInProgress', async () => {
    let release!: () => void;
    let started!: () => void;
    const sendStarted = new Promise<void>((resolve) => (started = resolve));
    transport.send = async (msg) => {
      started();
      await new Promise<void>((resolve) => (release = resolve));
      transport.sent.push(msg.id);
    };
    const id = await enqueue(email);
    const theWorker = worker();

    theWorker.start(10);
    await within(10_000, 'the worker to start sending', sendStarted);
    let stopped = false;
    const stopping = theWorker.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(stopped, false, 'stop returned while a send was in progress');
    release();
    await within(10_000, 'the worker to stop once the send finished', stopping);

    assert.equal((await row(id)).status, 'sent');
  });
});
