// The form bodies of the tenant pages inside a sign-in, each parsed whole (see interaction/forms.ts).
import { z } from 'zod';
import { form } from '../interaction/forms.js';

/** "none" is the page's only button when the person has no tenant. */
export const SelectTenantForm = form({ tenant_id: z.union([z.uuid(), z.literal('none')]) });
export const CreateTenantForm = z.union([
  form({ skip: z.literal('yes') }),
  form({ name: z.string().trim().min(1).max(200) }),
]);
