// The permissions part of the tenant admin page: for each app's API, which permissions each role holds.
// One form per resource and role, like the Management API's PUT of one role's permissions.
import type Router from '@koa/router';
import { z } from 'zod';
import { listOf, pageForm } from '../http/forms.js';
import type { ManageSection } from '../tenants/pages.js';
import { RoleName, Uuid } from '../tenants/schemas.js';
import { PermissionName } from './schemas.js';
import type { ResourceService } from './service.js';

const permissionsForm = pageForm({ permissions: listOf(PermissionName).pipe(z.array(PermissionName).max(200)) });

export function permissionSection(resources: ResourceService): ManageSection {
  return {
    async load(caller, tenantId) {
      return { permissionMapping: await resources.mappingOf(caller, tenantId) };
    },

    routes(router: Router, manage) {
      router.post('/permissions/:resourceId/roles/:role', (ctx) =>
        manage.change(
          ctx,
          (caller) => {
            const form = permissionsForm.parse(ctx.request.body ?? {});
            return resources.setRolePermissions(
              caller,
              ctx.params.tenantId!,
              Uuid.parse(ctx.params.resourceId),
              RoleName.parse(ctx.params.role),
              [...new Set(form.permissions)],
            );
          },
          'permissions_saved',
        ),
      );
    },
  };
}
