// The form bodies of the second-factor pages and the account page's factor sections, each parsed whole.
import { z } from 'zod';
import { form } from '../interaction/forms.js';
import { AssertionResponse, AttestationResponse } from './passkeys.js';

/** A code as typed: digits of an app, or a recovery code (letters, digits, a dash, spaces). */
const Code = z.string().trim().min(1).max(32);

export const CodeForm = form({ code: Code });
export const EmptyForm = form({});
export const PasskeyForm = form({ response: AssertionResponse });
export const NewPasskeyForm = form({
  response: AttestationResponse,
  name: z.string().trim().max(100).optional().default(''),
});
export const PasskeyNameForm = form({ name: z.string().trim().min(1).max(100) });
