// Home-realm discovery for the sign-in page: an address in a verified domain whose tenant chose a
// connection for it signs in there. The answer depends on the domain alone (no account is looked up), and
// only a verified domain of a live tenant, routed to an enabled connection of that same tenant, routes.
import { IsNull } from 'typeorm';
import type { Database } from '../db/database.js';
import { Connection, TenantDomain } from '../db/entities/index.js';
import type { HomeRealmDiscovery, RealmRoute } from '../interaction/kit.js';
import { liveTenantOf } from '../tenants/grants.js';
import { domainOf } from './domains.js';
import type { FederationService } from './sign-ins.js';

export class HomeRealm implements HomeRealmDiscovery {
  constructor(
    private readonly db: Database,
    private readonly federation: FederationService,
  ) {}

  async routeOf(emailOrDomain: string): Promise<RealmRoute | undefined> {
    const domain = domainOf(emailOrDomain);
    if (!domain) return undefined;
    return this.db.read(async (m) => {
      const row = await m.findOneBy(TenantDomain, { verifiedDomain: domain });
      if (!row?.ssoConnectionId) return undefined;
      const connection = await m.findOneBy(Connection, {
        id: row.ssoConnectionId,
        tenantId: row.tenantId,
        disabledAt: IsNull(),
      });
      if (!connection || !(await liveTenantOf(m, row.tenantId))) return undefined;
      return { slug: connection.slug, name: connection.name, passwordAllowed: row.passwordSignIn };
    });
  }

  start(route: RealmRoute, interactionUid: string, loginHint?: string): Promise<URL> {
    return this.federation.start(route.slug, { kind: 'sign_in', interactionUid }, loginHint);
  }
}
