// What the token endpoint asks of API resources: the resource behind an audience, and the permissions that
// roles hold of it in a tenant. Read from the database at every issuance, so a role change shows at the next token.
import { In } from 'typeorm';
import type { Database } from '../db/database.js';
import { ApiResource, RolePermission } from '../db/entities/index.js';
import { TENANT_ADMIN } from '../tenants/access.js';
import { type ResourceView, toResourceView } from './service.js';

/** How long discovery may show a list of public permissions before reading it again. */
const PUBLIC_SCOPES_MAX_AGE_MS = 10_000;

export class ResourceDirectory {
  private publicScopes?: { at: number; scopes: Promise<string[]> };

  constructor(private readonly db: Database) {}

  async byAudience(audience: string): Promise<ResourceView | undefined> {
    const row = await this.db.read((m) => m.findOneBy(ApiResource, { audience }));
    return row ? toResourceView(row) : undefined;
  }

  /** The resource's permissions that these roles hold in the tenant: all of them for tenant-admin. */
  async permissionsHeld(resource: ResourceView, tenantId: string, roles: string[]): Promise<string[]> {
    if (roles.includes(TENANT_ADMIN)) return resource.permissions;
    if (!roles.length) return [];
    const rows = await this.db.read((m) =>
      m.findBy(RolePermission, { tenantId, resourceId: resource.id, role: In(roles) }),
    );
    const held = new Set(rows.map((r) => r.permission));
    return resource.permissions.filter((p) => held.has(p));
  }

  /** The permissions of resources registered as public, for discovery's scopes_supported (briefly cached). */
  async publicPermissions(now = Date.now()): Promise<string[]> {
    if (!this.publicScopes || now - this.publicScopes.at > PUBLIC_SCOPES_MAX_AGE_MS) {
      const scopes = this.db
        .read((m) => m.findBy(ApiResource, { isPublic: true }))
        .then((rows) => [...new Set(rows.flatMap((r) => toResourceView(r).permissions))].sort());
      this.publicScopes = { at: now, scopes };
      scopes.catch(() => {
        this.publicScopes = undefined;
      });
    }
    return this.publicScopes.scopes;
  }
}
