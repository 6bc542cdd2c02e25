// Parallel requests for one unique name: one wins, the others get 409 naming the field, never a 500.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { apiClient, type Reply } from '../../test/support/api.js';
import { describeWithServer } from '../../test/support/server.js';
import { clientToken } from '../../test/support/tokens.js';

describeWithServer('concurrent duplicates through the Management API', (server) => {
  const api = apiClient(server);
  let manage: string;

  before(async () => {
    manage = await clientToken(server(), { manage: true });
  });

  /** One success, the rest 409 with `code`, and the description names `field`. */
  function oneWins(replies: Reply[], success: number, code: string, field: string): void {
    const statuses = replies.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === success).length, 1, `one ${success} among ${JSON.stringify(statuses)}`);
    for (const r of replies.filter((x) => x.status !== success)) {
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.equal(r.body.error, code);
      assert.match(String(r.body.error_description), new RegExp(`\\b${field}\\b`));
    }
  }

  test('an admin creating one role name 10 times at once gets one role and nine 409 role_exists', async () => {
    const tenantId = await api.tenantWith(manage, 'Roles Race');
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => api.call('POST', `/api/tenants/${tenantId}/roles`, manage, { name: 'auditor' })),
    );
    oneWins(replies, 201, 'role_exists', 'name');
  });

  test('ten tenants changing to one slug at once: one gets it, nine get 409 slug_taken', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => api.tenantWith(manage, `Slug Race ${i}`)));
    const replies = await Promise.all(
      ids.map((id) => api.call('PATCH', `/api/tenants/${id}`, manage, { slug: 'contested' })),
    );
    oneWins(replies, 200, 'slug_taken', 'slug');
  });

  test('ten creates with one slug at once: one tenant, nine 409 slug_taken', async () => {
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.call('POST', '/api/tenants', manage, { name: `Create Race ${i}`, slug: 'first-come' }),
      ),
    );
    oneWins(replies, 201, 'slug_taken', 'slug');
  });

  test('a slug taken long ago is a 409 slug_taken too, not only in a race', async () => {
    const first = await api.call('POST', '/api/tenants', manage, { name: 'Early', slug: 'early-bird' });
    assert.equal(first.status, 201);
    const again = await api.call('POST', '/api/tenants', manage, { name: 'Late', slug: 'early-bird' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'slug_taken');
  });
});
