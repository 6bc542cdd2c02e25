// The form bodies of the domain join page inside a sign-in, each parsed whole (see interaction/forms.ts).
import { z } from 'zod';
import { form } from '../interaction/forms.js';

/** The offer shown, by its tenant: join it (suggest), ask to join (request), or decline. */
const decide = form({ decision: z.enum(['join', 'request', 'skip']), tenant_id: z.uuid() });
/** Going on: after an admin's decision was shown (with its request), or after a request was sent. */
const carryOn = form({ decision: z.literal('continue'), request_id: z.uuid().optional() });

export const DomainJoinForm = z.union([decide, carryOn]);
