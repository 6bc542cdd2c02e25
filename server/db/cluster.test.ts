// Cluster awareness without a cluster: what must hold on plain MariaDB and SQLite (the Galera suite in
// test/galera/ shows the cross-node behaviour).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../config.js';
import { ServiceUnavailable } from '../errors.js';
import { loadKeys } from '../keys/keys.js';
import { loadCookieKeys } from '../oidc/secrets.js';
import { describeEachDatabase } from '../../test/support/databases.js';
import { openDatabase } from './database.js';

const mysqlUrl = process.env.TEST_MYSQL_URL;

describe('DATABASE_CLUSTER', () => {
  test('defaults to auto, and a value it does not know is refused by name', () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://u@127.0.0.1/t' });
    assert.equal(config.database.kind === 'mysql' && config.database.cluster, 'auto');
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://u@127.0.0.1/t', DATABASE_CLUSTER: 'raft' }),
      /DATABASE_CLUSTER: expected auto, galera, group-replication, none/,
    );
  });
});

describeEachDatabase('a database node that cannot serve', ['secrets'], (db) => {
  // mysql2's error for Galera's "WSREP has not yet prepared node for application use", and for a killed node.
  const notPrepared = Object.assign(new Error('WSREP has not yet prepared node for application use'), {
    code: 'ER_UNKNOWN_COM_ERROR',
    errno: 1047,
  });
  const connectionLost = Object.assign(new Error('Connection lost: The server closed the connection.'), {
    code: 'PROTOCOL_CONNECTION_LOST',
  });

  for (const [name, error] of [
    ['1047 from a node outside the primary component', notPrepared],
    ['a lost connection', connectionLost],
  ] as const) {
    test(`${name} becomes a 503 with Retry-After, in a write and in a transaction`, async () => {
      for (const run of [
        () => db().write(async () => Promise.reject(error)),
        () => db().transaction(async () => Promise.reject(error)),
      ]) {
        await assert.rejects(run(), (e: unknown) => {
          assert.ok(e instanceof ServiceUnavailable, `expected a 503, got ${String(e)}`);
          assert.equal(e.status, 503);
          assert.equal(e.headers['Retry-After'], '1');
          return true;
        });
      }
    });
  }

  test('a plain database is no cluster, and is ready', async () => {
    assert.equal(db().cluster, 'none');
    await db().ping();
  });
});

describe('cluster detection on plain MariaDB', { skip: mysqlUrl ? false : 'TEST_MYSQL_URL is not set' }, () => {
  test('auto reads @@wsrep_on as off, so nothing changes: no cluster, no session settings, ready', async () => {
    const db = await openDatabase({ kind: 'mysql', url: mysqlUrl!, cluster: 'auto' });
    try {
      assert.equal(db.cluster, 'none');
      const [row] = (await db.read((m) => m.query('SELECT @@SESSION.wsrep_sync_wait AS wait'))) as { wait: number }[];
      assert.equal(Number(row?.wait), 0);
      await db.ping();
    } finally {
      await db.close();
    }
  });

  test('a database named galera reads causally on every connection, and a node that is not ready fails /readyz', async () => {
    // Plain MariaDB knows the wsrep variables but reports wsrep_ready=OFF: exactly a node outside the cluster.
    const db = await openDatabase({ kind: 'mysql', url: mysqlUrl!, cluster: 'galera' });
    try {
      assert.equal(db.cluster, 'galera');
      const waits = await Promise.all(
        [1, 2, 3].map(() =>
          db.transaction(async (m) => {
            const [row] = (await m.query('SELECT @@SESSION.wsrep_sync_wait AS wait')) as { wait: number }[];
            return Number(row?.wait);
          }),
        ),
      );
      assert.deepEqual(waits, [3, 3, 3]);
      await assert.rejects(db.ping(), /wsrep_ready=OFF/);
    } finally {
      await db.close();
    }
  });
});

describe('retries of certification conflicts', { skip: mysqlUrl ? false : 'TEST_MYSQL_URL is not set' }, () => {
  // mysql2's error for InnoDB's deadlock victim and for Galera's certification failure alike.
  const conflict = () =>
    Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), {
      code: 'ER_LOCK_DEADLOCK',
      errno: 1213,
    });
  const failingTimes = (times: number) => {
    let calls = 0;
    const fn = async () => {
      calls++;
      if (calls <= times) throw conflict();
      return calls;
    };
    return { fn, calls: () => calls };
  };

  test('on a cluster, a single statement that lost certification runs again, and a transaction runs a bounded number of times', {
    timeout: 30_000,
  }, async () => {
    const db = await openDatabase({ kind: 'mysql', url: mysqlUrl!, cluster: 'galera' });
    try {
      assert.equal(await db.write(failingTimes(2).fn), 3);
      const always = failingTimes(Number.POSITIVE_INFINITY);
      await assert.rejects(db.transaction(always.fn), /Deadlock found/);
      assert.equal(always.calls(), 6);
    } finally {
      await db.close();
    }
  });

  test('on one server nothing changes: a statement outside a transaction is not run again, a transaction three times', async () => {
    const db = await openDatabase({ kind: 'mysql', url: mysqlUrl!, cluster: 'none' });
    try {
      const once = failingTimes(1);
      await assert.rejects(db.write(once.fn), /Deadlock found/);
      assert.equal(once.calls(), 1);
      const always = failingTimes(Number.POSITIVE_INFINITY);
      await assert.rejects(db.transaction(always.fn), /Deadlock found/);
      assert.equal(always.calls(), 3);
    } finally {
      await db.close();
    }
  });
});

describe('first start of two instances on a cluster', { skip: mysqlUrl ? false : 'TEST_MYSQL_URL is not set' }, () => {
  test('two instances without a usable GET_LOCK still agree on one set of signing keys and one cookie secret', {
    timeout: 60_000,
  }, async () => {
    // `galera` skips GET_LOCK (node-local there): only the guard row written in the transaction serialises them.
    const open = () => openDatabase({ kind: 'mysql', url: mysqlUrl!, cluster: 'galera' });
    const [a, b] = await Promise.all([open(), open()]);
    try {
      for (let round = 0; round < 5; round++) {
        await a.write((m) => m.query("DELETE FROM secrets WHERE name = 'cookie_keys'"));
        await a.write((m) => m.query('DELETE FROM signing_keys'));
        const [keysA, keysB, secretA, secretB] = await Promise.all([
          loadKeys(a),
          loadKeys(b),
          loadCookieKeys(a, undefined),
          loadCookieKeys(b, undefined),
        ]);
        const kids = (k: typeof keysA) => k.keys.map((x) => x.kid).sort();
        assert.deepEqual(kids(keysA), kids(keysB), `round ${round}: both publish the same keys`);
        assert.equal(keysA.keys.length, 2, `round ${round}: one current key per algorithm`);
        assert.deepEqual(secretA, secretB, `round ${round}: one cookie secret`);
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
