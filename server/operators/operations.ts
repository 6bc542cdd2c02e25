// Every operation of the operator API, built over the services that do the work. app.ts serves them under
// /api/admin; the CLI sends them to a running server or runs them in-process. The features' own operations
// (<feature>-operations.ts beside this file) join them in app.ts (see docs/operations.md).
import type { AccountAdministration } from '../accounts/administration.js';
import type { AccountService } from '../accounts/service.js';
import type { Database } from '../db/database.js';
import type { InvitationService } from '../invitations/service.js';
import type { MembershipService } from '../tenants/memberships.js';
import type { TenantService } from '../tenants/service.js';
import { accountOperations } from './account-operations.js';
import { clientOperations } from './client-operations.js';
import type { Operation } from './operation.js';
import type { OperatorService } from './service.js';
import { systemOperations } from './system-operations.js';

export interface OperatorDeps {
  db: Database;
  accounts: AccountService;
  administration: AccountAdministration;
  operators: OperatorService;
  tenants: TenantService;
  memberships: MembershipService;
  invitations: InvitationService;
}

export function operatorOperations(deps: OperatorDeps): Operation[] {
  return [...clientOperations(deps), ...accountOperations(deps), ...systemOperations(deps)];
}
