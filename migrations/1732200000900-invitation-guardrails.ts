import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { bool, optional, str, text, time } from './columns.js';

/**
 * Guardrails on invitations: roles whose holders may invite (`can_invite`), a per-tenant invitation policy
 * (JSON: roles a multi-use link may grant, roles that need a second admin's approval), and an invitation's
 * approval state (null: none needed; awaiting, approved, rejected) with who approved it and when.
 */
export class InvitationGuardrails1732200000900 implements MigrationInterface {
  name = 'InvitationGuardrails1732200000900';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('tenant_roles', new TableColumn(bool('can_invite')));
    await q.addColumn('tenants', new TableColumn(optional(text('invitation_policy'))));
    await q.addColumns('invitations', [
      new TableColumn(optional(str('approval', 10))),
      new TableColumn(optional(str('approved_by', 120))),
      new TableColumn(optional(time('approved_at'))),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumns('invitations', ['approval', 'approved_by', 'approved_at']);
    await q.dropColumn('tenants', 'invitation_policy');
    await q.dropColumn('tenant_roles', 'can_invite');
  }
}
