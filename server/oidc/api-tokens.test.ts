// Management API authentication: a token is only as good as the client and the account behind it, checked at every call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient } from '../../test/support/api.js';
import { describeWithServer, type TestServer } from '../../test/support/server.js';
import { firstPartyApp, person, userToken } from '../../test/support/tokens.js';
import { deleteClient } from './clients.js';

// Its own server: deleting the shared first-party app would break every later sign-in on it.
describeWithServer('Management API tokens of a deleted client', (server: () => TestServer) => {
  const { call } = apiClient(server);

  test("a person's API token issued to a client stops working once the operator deletes that client: 401", async () => {
    const alice = await person(server(), 'Alice');
    const token = await userToken(server(), alice);
    assert.equal((await call('GET', '/api/tenants', token)).status, 200, 'the token works while its client exists');

    const app = await firstPartyApp(server());
    assert.equal(await deleteClient(server().db, app.clientMetadata().client_id), true);

    const res = await call('GET', '/api/tenants', token);
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_token');
  });
});
