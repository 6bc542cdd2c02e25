// The form bodies of the pages inside a sign-in, each parsed whole: a body that is not one the page
// sends (no decision, an unknown one, a bad id, an extra field) changes nothing. Each feature declares its own.
import { z } from 'zod';
import { BadRequest } from '../errors.js';

/** A page's form: its own fields plus the CSRF token (checked before the route runs). */
export const form = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ _csrf: z.string().optional(), ...shape });

/** Parses a page's form body: anything else is 400. */
export function parseForm<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new BadRequest('This form is not one the page sent.', 'invalid_form');
  return parsed.data;
}
