import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.js';
import { createClient } from './clients.js';
import { createAdapter, deleteExpiredPayloads } from './adapter.js';

describeEachDatabase('oidc-provider adapter over TypeORM', ['oidc_payloads', 'clients'], (db) => {
  const adapter = (model: string) => new (createAdapter(db()))(model);

  test('upsert stores a payload that find returns, and a second upsert replaces it', async () => {
    const sessions = adapter('Session');
    await sessions.upsert('s1', { accountId: 'a1', uid: 'u1' }, 60);
    assert.deepEqual(await sessions.find('s1'), { accountId: 'a1', uid: 'u1' });
    await sessions.upsert('s1', { accountId: 'a2', uid: 'u1' }, 60);
    assert.equal((await sessions.find('s1'))?.accountId, 'a2');
  });

  test('models do not see each other: the same id under another model is another row', async () => {
    await adapter('AccessToken').upsert('same', { accountId: 'x' }, 60);
    assert.equal(await adapter('RefreshToken').find('same'), undefined);
  });

  test('findByUid and findByUserCode use their indexed columns', async () => {
    await adapter('Session').upsert('s2', { uid: 'uid-2' }, 60);
    await adapter('DeviceCode').upsert('d1', { userCode: 'ABCD-EFGH' }, 60);
    assert.equal((await adapter('Session').findByUid('uid-2'))?.uid, 'uid-2');
    assert.equal((await adapter('DeviceCode').findByUserCode('ABCD-EFGH'))?.userCode, 'ABCD-EFGH');
  });

  test('consume marks a payload consumed with a timestamp, and a re-save keeps it consumed', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await codes.consume('c1');
    const found = await codes.find('c1');
    assert.equal(typeof found?.consumed, 'number');
    assert.ok(Math.abs(found!.consumed - Date.now() / 1000) < 5);
  });

  test('an expired payload is not found, and the cleanup deletes it', async () => {
    const tokens = adapter('AccessToken');
    await tokens.upsert('old', { accountId: 'a' }, 1);
    await tokens.upsert('fresh', { accountId: 'a' }, 3600);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(await tokens.find('old'), undefined);
    const deleted = await deleteExpiredPayloads(db(), new Date(Date.now() + 1000));
    assert.equal(deleted, 1);
    assert.ok(await tokens.find('fresh'));
  });

  test("revokeByGrantId deletes the grant's tokens of its own model only, never a session or interaction", async () => {
    const Adapter = createAdapter(db());
    await new Adapter('AccessToken').upsert('at', { grantId: 'g9' }, 60);
    await new Adapter('RefreshToken').upsert('rt', { grantId: 'g9' }, 60);
    await new Adapter('RefreshToken').upsert('other', { grantId: 'g10' }, 60);
    await new Adapter('Interaction').upsert('in-flight', { grantId: 'g9' }, 60);
    await new Adapter('RefreshToken').revokeByGrantId('g9');
    await new Adapter('AccessToken').revokeByGrantId('g9');
    assert.equal(await new Adapter('AccessToken').find('at'), undefined);
    assert.equal(await new Adapter('RefreshToken').find('rt'), undefined);
    assert.ok(await new Adapter('RefreshToken').find('other'));
    assert.ok(await new Adapter('Interaction').find('in-flight'), 'a sign-in under way survives');
  });

  test('destroying a grant runs the hooks (the active tenant kept for it goes too)', async () => {
    const gone: string[] = [];
    const Adapter = createAdapter(db(), [async (grantId) => void gone.push(grantId)]);
    await new Adapter('Grant').upsert('g11', { accountId: 'a' }, 60);
    await new Adapter('AccessToken').destroy('not-a-grant');
    await new Adapter('Grant').destroy('g11');
    assert.deepEqual(gone, ['g11']);
  });

  test('destroy deletes one payload', async () => {
    await adapter('Interaction').upsert('i1', { uid: 'x' }, 60);
    await adapter('Interaction').destroy('i1');
    assert.equal(await adapter('Interaction').find('i1'), undefined);
  });

  test('the Client model reads the clients table, with first_party from its column', async () => {
    const { id, secret } = await createClient(db(), {
      name: 'App',
      redirectUris: ['https://app.example/cb'],
      firstParty: true,
    });
    const client = await adapter('Client').find(id);
    assert.equal(client?.client_id, id);
    assert.equal(client?.client_secret, secret);
    assert.equal(client?.first_party, true);
    assert.deepEqual(client?.redirect_uris, ['https://app.example/cb']);
    assert.equal(await adapter('Client').find('nobody'), undefined);
  });

  test('a client row is reused for a few seconds, so token requests do not read it each time', async () => {
    const { id } = await createClient(db(), { name: 'Cached', redirectUris: ['https://app.example/cb'] });
    const clients = adapter('Client');
    assert.equal((await clients.find(id))?.client_name, 'Cached');
    await db().write((m) => m.delete('clients', { id }));
    assert.equal((await clients.find(id))?.client_name, 'Cached', 'still cached');
  });
});
