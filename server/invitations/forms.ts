// The form bodies of the invitation pages inside a sign-in, each parsed whole (see interaction/forms.ts).
import { z } from 'zod';
import { form } from '../interaction/forms.js';

/** Accept or decline exactly the invitation shown, by id. */
const decide = form({ decision: z.enum(['accept', 'decline']), invitation_id: z.uuid() });

/** Going on without deciding; it may come with the id of the invitation shown, which it ignores. */
const pass = <D extends 'skip' | 'later'>(decision: D) =>
  form({ decision: z.literal(decision), invitation_id: z.uuid().optional() });

/** The invitation an app's sign-in carries; "skip" goes on without joining (also from the problem page). */
export const InvitationForm = z.union([pass('skip'), decide]);
/** The review of pending invitations bound to the account's e-mail; "later" ends it for this sign-in. */
export const ReviewForm = z.union([pass('later'), decide]);
