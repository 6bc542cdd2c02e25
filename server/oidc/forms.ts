// The form bodies of the invitation and tenant pages inside a sign-in, each parsed whole: a body that is
// not one the page sends (no decision, an unknown one, a bad id, an extra field) changes nothing.
import { z } from 'zod';
import { BadRequest } from '../errors.js';

/** A page's form: its own fields plus the CSRF token (checked before the route runs). */
const form = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ _csrf: z.string().optional(), ...shape });

/** Accept or decline exactly the invitation shown, by id. */
const decide = form({ decision: z.enum(['accept', 'decline']), invitation_id: z.uuid() });

/** Going on without deciding; it may come with the id of the invitation shown, which it ignores. */
const pass = <D extends 'skip' | 'later'>(decision: D) => form({ decision: z.literal(decision), invitation_id: z.uuid().optional() });

/** The invitation an app's sign-in carries; "skip" goes on without joining (also from the problem page). */
export const InvitationForm = z.union([pass('skip'), decide]);
/** The review of pending invitations bound to the account's e-mail; "later" ends it for this sign-in. */
export const ReviewForm = z.union([pass('later'), decide]);
/** "none" is the page's only button when the person has no tenant. */
export const SelectTenantForm = form({ tenant_id: z.union([z.uuid(), z.literal('none')]) });
export const CreateTenantForm = z.union([form({ skip: z.literal('yes') }), form({ name: z.string().trim().min(1).max(200) })]);

/** Parses a page's form body: anything else is 400. */
export function parseForm<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new BadRequest('This form is not one the page sent.', 'invalid_form');
  return parsed.data;
}
