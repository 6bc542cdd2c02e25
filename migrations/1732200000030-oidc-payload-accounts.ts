import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { optional, uuid } from './columns.js';

const BATCH = 500;

/**
 * Which account each stored session, grant, token and sign-in belongs to, so that a credential change
 * can end all of them. Rows already stored are filled in from their payloads. The rule is written out
 * here rather than imported from the adapter: a migration must keep doing what it did when it was written.
 */
export class OidcPayloadAccounts1732200000030 implements MigrationInterface {
  name = 'OidcPayloadAccounts1732200000030';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('oidc_payloads', new TableColumn(optional(uuid('account_id'))));
    await q.createIndex(
      'oidc_payloads',
      new TableIndex({ name: 'idx_oidc_payloads_account', columnNames: ['account_id'] }),
    );
    let after = { model: '', id: '' };
    for (;;) {
      const rows = (await q.query(
        `SELECT model, id, payload FROM oidc_payloads WHERE model > ? OR (model = ? AND id > ?) ORDER BY model, id LIMIT ${BATCH}`,
        [after.model, after.model, after.id],
      )) as { model: string; id: string; payload: string }[];
      for (const row of rows) {
        const accountId = accountOf(row.payload);
        if (accountId)
          await q.query('UPDATE oidc_payloads SET account_id = ? WHERE model = ? AND id = ?', [
            accountId,
            row.model,
            row.id,
          ]);
      }
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1]!;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('oidc_payloads', 'idx_oidc_payloads_account');
    await q.dropColumn('oidc_payloads', 'account_id');
  }
}

function accountOf(json: string): string | undefined {
  try {
    const p = JSON.parse(json) as {
      accountId?: unknown;
      session?: { accountId?: unknown };
      result?: { login?: { accountId?: unknown } };
    };
    const id = p.accountId ?? p.result?.login?.accountId ?? p.session?.accountId;
    return typeof id === 'string' && id.length <= 36 ? id : undefined;
  } catch {
    return undefined;
  }
}
