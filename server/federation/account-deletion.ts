// Deleting an account for good: its memberships end (tenants/ decides, and refuses while the account is the
// last tenant-admin of a tenant), its linked identities go, then accounts/ removes the account, its
// credentials and everything it had signed in; one transaction.
import type { AccountService } from '../accounts/service.js';
import type { Database } from '../db/database.js';
import { leaveAllTenants, tenantsOnlyAdministeredBy } from '../tenants/departure.js';
import type { FederationService } from './sign-ins.js';

export class AccountDeletion {
  constructor(
    private readonly db: Database,
    private readonly accounts: AccountService,
    private readonly federation: FederationService,
  ) {}

  /** The tenants the account must hand over (make someone else tenant-admin) before it can go. */
  async handOverFirst(accountId: string): Promise<string[]> {
    return this.db.read((m) => tenantsOnlyAdministeredBy(m, accountId));
  }

  async delete(accountId: string): Promise<void> {
    await this.accounts.deleteAccount(accountId, async (m, id) => {
      await leaveAllTenants(m, id);
      await this.federation.forgetIdentities(m, id);
    });
  }
}
