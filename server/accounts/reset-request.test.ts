// A password reset request must not tell, by what it does before answering, whether the address has an account.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.js';
import type { Database } from '../db/database.js';
import { OutboxMessage } from '../db/entities/index.js';
import { Renderer } from '../render.js';
import { AccountMail } from './mail.js';
import { PasswordHasher } from './passwords.js';
import { AccountService } from './service.js';

describeEachDatabase('password reset requests', ['outbox', 'verification_codes', 'credentials', 'accounts'], (db) => {
  let queued: (() => Promise<void>)[];
  let touched: number;
  let accounts: AccountService;

  beforeEach(() => {
    queued = [];
    touched = 0;
    // Counts every trip to the database the service makes.
    const counting = new Proxy(db(), {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (key !== 'read' && key !== 'transaction') return value;
        return (...args: unknown[]) => {
          touched++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as Database;
    const later = { add: (task: () => Promise<void>) => void queued.push(task), settled: async () => {} };
    accounts = new AccountService(
      counting,
      new PasswordHasher({ memoryCost: 1024, timeCost: 1 }),
      new AccountMail(new Renderer('https://id.example.test')),
      { later },
    );
  });

  test('a request for a known and for an unknown address both answer without touching the database; the mail is written afterwards', async () => {
    await accounts.createAccount({
      email: 'known@example.test',
      name: 'K',
      password: 'a fine passphrase',
      verified: true,
    });
    touched = 0;

    await accounts.requestPasswordReset('known@example.test');
    await accounts.requestPasswordReset('nobody@example.test');
    assert.equal(touched, 0, 'the answer does no account-dependent work');
    assert.equal(queued.length, 2, 'both requests leave the same work for later');
    assert.equal(await db().read((m) => m.countBy(OutboxMessage, {})), 0);

    for (const task of queued) await task();
    const mails = await db().read((m) => m.findBy(OutboxMessage, {}));
    assert.deepEqual(
      mails.map((m) => [m.recipient, m.subject]),
      [['known@example.test', 'Reset your password']],
    );
  });
});
