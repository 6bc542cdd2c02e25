import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { bool, int, optional, str, time } from './columns.js';

/**
 * Where each membership and each role came from (invitation, domain, SSO, admin, self-service, operator),
 * who granted it and when; and access that ends: an end per membership and per role, the moment the sweep
 * announced that end, and an invitation's end for the access it grants (or `renews` to extend held roles).
 */
export class MembershipProvenance1732200000920 implements MigrationInterface {
  name = 'MembershipProvenance1732200000920';

  async up(q: QueryRunner): Promise<void> {
    const provenance = () => [
      new TableColumn({ ...str('source', 20), default: "'unknown'" }),
      new TableColumn(optional(str('source_ref', 320))),
      new TableColumn(optional(str('source_jti', 36))),
      new TableColumn(optional(str('granted_by', 120))),
      new TableColumn(optional(time('expires_at'))),
      new TableColumn(optional(time('ended_recorded_at'))),
    ];
    await q.addColumns('memberships', provenance());
    await q.addColumns('membership_roles', [...provenance(), new TableColumn(optional(time('granted_at')))]);
    // What is known of rows made before: an invitation id was kept on the membership.
    await q.query(
      "UPDATE memberships SET source = 'invitation', source_ref = invitation_id WHERE invitation_id IS NOT NULL",
    );
    await q.addColumns('invitations', [
      new TableColumn(optional(int('access_expires_in', { default: null }))),
      new TableColumn(optional(time('access_expires_at'))),
      new TableColumn(bool('renews')),
    ]);
    // The sweep looks for ends that passed and were not announced.
    await q.createIndex(
      'membership_roles',
      new TableIndex({ name: 'idx_membership_roles_expires_at', columnNames: ['expires_at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('membership_roles', 'idx_membership_roles_expires_at');
    await q.dropColumns('invitations', ['access_expires_in', 'access_expires_at', 'renews']);
    const names = ['source', 'source_ref', 'source_jti', 'granted_by', 'expires_at', 'ended_recorded_at'];
    await q.dropColumns('membership_roles', [...names, 'granted_at']);
    await q.dropColumns('memberships', names);
  }
}
