// API resources (the apps' own APIs) and each tenant's role -> permission mapping: the rules and the transactions.
// Operators register resources (CLI); tenant admins map their roles to the resources' permissions.
import { In } from 'typeorm';
import { recordAudit } from '../db/audit.js';
import type { Database } from '../db/database.js';
import { ApiResource, RolePermission } from '../db/entities/index.js';
import { BadRequest, Conflict, Forbidden, NotFound, Unprocessable } from '../errors.js';
import { SIGNING_ALGS, type SigningAlg } from '../keys/keys.js';
import { actorOf, type Caller, TENANT_ADMIN } from '../tenants/access.js';
import type { TenantService } from '../tenants/service.js';
import { Audience, PermissionName } from './schemas.js';

export interface NewResource {
  audience: string;
  name: string;
  permissions: string[];
  /** Seconds; default 900. */
  accessTokenTtl?: number;
  signingAlg?: SigningAlg;
  /** List its permissions in discovery's scopes_supported. */
  isPublic?: boolean;
}

export interface ResourceView {
  id: string;
  audience: string;
  name: string;
  permissions: string[];
  accessTokenTtl: number;
  signingAlg: SigningAlg;
  isPublic: boolean;
}

export interface RolePermissionsView {
  role: string;
  permissions: string[];
  builtin: boolean;
}

export interface ResourceMapping {
  resource: Pick<ResourceView, 'id' | 'audience' | 'name' | 'permissions'>;
  roles: RolePermissionsView[];
}

export const DEFAULT_ACCESS_TOKEN_TTL = 900;
export const ACCESS_TOKEN_TTL_RANGE = { min: 60, max: 86_400 } as const;

export const toResourceView = (r: ApiResource): ResourceView => ({
  id: r.id,
  audience: r.audience,
  name: r.name,
  permissions: JSON.parse(r.permissions) as string[],
  accessTokenTtl: r.accessTokenTtl,
  signingAlg: r.signingAlg as SigningAlg,
  isPublic: r.isPublic,
});

/** Checks an operator's input, with messages that name the field. */
function checked(input: NewResource, reserved: string[]): Required<NewResource> {
  const fail = (message: string) => new BadRequest(message, 'invalid_request');
  const audience = Audience.safeParse(input.audience);
  if (!audience.success) throw fail(`audience: ${audience.error.issues[0]?.message}`);
  if (reserved.includes(input.audience)) throw fail(`audience: ${input.audience} is Tessera's own Management API`);
  const name = input.name.trim();
  if (!name || name.length > 200) throw fail('name: 1 to 200 characters');
  const permissions = [...new Set(input.permissions)].sort();
  const bad = permissions.find((p) => !PermissionName.safeParse(p).success);
  if (bad !== undefined) throw fail(`permissions: "${bad}" is not a permission name (letters, digits, _ . : / -)`);
  if (permissions.length > 200) throw fail('permissions: at most 200');
  const ttl = input.accessTokenTtl ?? DEFAULT_ACCESS_TOKEN_TTL;
  if (!Number.isInteger(ttl) || ttl < ACCESS_TOKEN_TTL_RANGE.min || ttl > ACCESS_TOKEN_TTL_RANGE.max)
    throw fail(`access token TTL: whole seconds, ${ACCESS_TOKEN_TTL_RANGE.min} to ${ACCESS_TOKEN_TTL_RANGE.max}`);
  const signingAlg = input.signingAlg ?? 'ES256';
  if (!SIGNING_ALGS.includes(signingAlg)) throw fail(`signing algorithm: one of ${SIGNING_ALGS.join(', ')}`);
  return { audience: input.audience, name, permissions, accessTokenTtl: ttl, signingAlg, isPublic: !!input.isPublic };
}

export class ResourceService {
  /**
   * @param reserved audiences no app may register (the Management API's).
   * @param tenants the tenant service, which says who administers a tenant and which roles it has.
   */
  constructor(
    private readonly db: Database,
    private readonly reserved: string[],
    private readonly tenants?: TenantService,
  ) {}

  /** Registers a resource (operators). 409 when the audience is taken. */
  async create(input: NewResource, actor = 'cli'): Promise<ResourceView> {
    const wanted = checked(input, this.reserved);
    return this.db.transaction(async (m) => {
      if (await m.existsBy(ApiResource, { audience: wanted.audience }))
        throw new Conflict(`A resource with the audience ${wanted.audience} exists already.`, 'audience_taken');
      const now = new Date();
      const row = Object.assign(new ApiResource(), {
        id: crypto.randomUUID(),
        ...wanted,
        permissions: JSON.stringify(wanted.permissions),
        createdAt: now,
        updatedAt: now,
      });
      await m.insert(ApiResource, row);
      await recordAudit(m, { type: 'resource.created', actor, subject: row.id, data: { audience: row.audience } });
      return toResourceView(row);
    });
  }

  /** Changes a resource; permissions it no longer has leave every tenant's mapping. */
  async update(audience: string, patch: Partial<Omit<NewResource, 'audience'>>, actor = 'cli'): Promise<ResourceView> {
    return this.db.transaction(async (m) => {
      const row = await m.findOneBy(ApiResource, { audience });
      if (!row) throw new NotFound(`There is no resource with the audience ${audience}.`, 'resource_not_found');
      const current = toResourceView(row);
      const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
      const wanted = checked({ ...current, ...given, audience }, this.reserved);
      const dropped = current.permissions.filter((p) => !wanted.permissions.includes(p));
      if (dropped.length) await m.delete(RolePermission, { resourceId: row.id, permission: In(dropped) });
      await m.update(
        ApiResource,
        { id: row.id },
        { ...wanted, permissions: JSON.stringify(wanted.permissions), updatedAt: new Date() },
      );
      await recordAudit(m, { type: 'resource.updated', actor, subject: row.id, data: { audience, dropped } });
      return { ...current, ...wanted, id: row.id };
    });
  }

  async get(id: string): Promise<ResourceView> {
    const row = await this.db.read((m) => m.findOneBy(ApiResource, { id }));
    if (!row) throw new NotFound('There is no resource with this id.', 'resource_not_found');
    return toResourceView(row);
  }

  async list(): Promise<ResourceView[]> {
    const rows = await this.db.read((m) => m.find(ApiResource, { order: { audience: 'ASC' } }));
    return rows.map(toResourceView);
  }

  /** Removes a resource and every tenant's mapping of it; its tokens stay valid until they expire. */
  async remove(audience: string, actor = 'cli'): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const row = await m.findOneBy(ApiResource, { audience });
      if (!row) return false;
      await m.delete(RolePermission, { resourceId: row.id });
      await m.delete(ApiResource, { id: row.id });
      await recordAudit(m, { type: 'resource.deleted', actor, subject: row.id, data: { audience } });
      return true;
    });
  }

  private tenantService(): TenantService {
    if (!this.tenants) throw new Error('ResourceService needs the TenantService for tenant mappings');
    return this.tenants;
  }

  /** Every resource with each of the tenant's roles and the permissions it holds (tenant admins; members read). */
  async mappingOf(caller: Caller, tenantId: string): Promise<ResourceMapping[]> {
    const roles = await this.tenantService().listRoles(caller, tenantId);
    const [resources, rows] = await this.db.read(async (m) =>
      Promise.all([m.find(ApiResource, { order: { name: 'ASC' } }), m.findBy(RolePermission, { tenantId })]),
    );
    return resources.map((row) => {
      const resource = toResourceView(row);
      return {
        resource: {
          id: resource.id,
          audience: resource.audience,
          name: resource.name,
          permissions: resource.permissions,
        },
        roles: roles.map(({ name }) => ({
          role: name,
          builtin: name === TENANT_ADMIN,
          permissions:
            name === TENANT_ADMIN
              ? resource.permissions
              : rows
                  .filter((r) => r.resourceId === row.id && r.role === name)
                  .map((r) => r.permission)
                  .sort(),
        })),
      };
    });
  }

  /** Replaces what one role holds of one resource in a tenant (tenant-admin holds everything and cannot change). */
  async setRolePermissions(
    caller: Caller,
    tenantId: string,
    resourceId: string,
    role: string,
    permissions: string[],
  ): Promise<RolePermissionsView> {
    const service = this.tenantService();
    if ((await service.levelOf(caller, tenantId)) === 'member')
      throw new Forbidden('Only a tenant-admin of this tenant may do this.', 'forbidden');
    if (!(await service.listRoles(caller, tenantId)).some((r) => r.name === role))
      throw new Unprocessable(`The role ${role} is not in this tenant's catalogue.`, 'unknown_role');
    if (role === TENANT_ADMIN)
      throw new Conflict(
        'tenant-admin holds every permission of every resource; it cannot be changed.',
        'builtin_role',
      );
    return this.db.transaction(async (m) => {
      const row = await m.findOneBy(ApiResource, { id: resourceId });
      if (!row) throw new NotFound('There is no resource with this id.', 'resource_not_found');
      const known = toResourceView(row).permissions;
      const unknown = permissions.filter((p) => !known.includes(p));
      if (unknown.length)
        throw new Unprocessable(`${row.name} has no permission ${unknown.join(', ')}.`, 'unknown_permission');
      await m.delete(RolePermission, { tenantId, role, resourceId });
      if (permissions.length)
        await m.insert(
          RolePermission,
          permissions.map((permission) => ({ tenantId, role, resourceId, permission })),
        );
      await recordAudit(m, {
        type: 'tenant.role_permissions_set',
        actor: actorOf(caller),
        tenantId,
        subject: row.id,
        data: { role, permissions },
      });
      return { role, permissions: [...permissions].sort(), builtin: false };
    });
  }
}
