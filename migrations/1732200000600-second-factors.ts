import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { int, optional, primary, str, text, time, uuid } from './columns.js';

/**
 * Passkeys and TOTP as credentials (their own columns beside the password's hash), recovery codes,
 * WebAuthn challenges held server-side until their one use, and each tenant's sign-in policy.
 */
export class SecondFactors1732200000600 implements MigrationInterface {
  name = 'SecondFactors1732200000600';

  async up(q: QueryRunner): Promise<void> {
    // A passkey or an authenticator app has no hash: the password's column becomes optional.
    await q.changeColumn('credentials', 'secret_hash', new TableColumn(optional(str('secret_hash', 255))));
    await q.addColumns('credentials', [
      /** WebAuthn: the COSE public key (base64url). TOTP: the secret, encrypted (server/keys/sealing.ts). */
      new TableColumn(optional(text('secret'))),
      /** WebAuthn: the authenticator's signature counter. TOTP: the last time step accepted (replay). */
      new TableColumn(int('counter', { type: 'bigint' })),
      new TableColumn(optional(str('transports', 200))),
      new TableColumn(optional(str('name', 100))),
      new TableColumn(optional(time('last_used_at'))),
    ]);
    await q.createTable(
      new Table({
        name: 'recovery_codes',
        columns: [
          primary(uuid('id')),
          uuid('account_id'),
          str('code_hash', 64),
          time('created_at'),
          optional(time('used_at')),
        ],
        indices: [
          new TableIndex({
            name: 'uq_recovery_codes_account_hash',
            columnNames: ['account_id', 'code_hash'],
            isUnique: true,
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'webauthn_challenges',
        columns: [
          primary(str('challenge', 128)),
          str('purpose', 20),
          /** Who may answer it: the account (registration) or the sign-in's interaction (authentication). */
          str('subject', 64),
          time('expires_at'),
        ],
        indices: [new TableIndex({ name: 'idx_webauthn_challenges_expires', columnNames: ['expires_at'] })],
      }),
    );
    await q.addColumn('tenants', new TableColumn(optional(text('sign_in_policy'))));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('tenants', 'sign_in_policy');
    await q.dropTable('webauthn_challenges');
    await q.dropTable('recovery_codes');
    for (const column of ['last_used_at', 'name', 'transports', 'counter', 'secret'])
      await q.dropColumn('credentials', column);
    await q.changeColumn('credentials', 'secret_hash', new TableColumn(str('secret_hash', 255)));
  }
}
