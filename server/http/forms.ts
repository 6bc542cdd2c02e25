// Page form bodies, each parsed whole by a schema like an API body: a body that is not one the page
// sends (an unknown field, a bad value) is a 400 page and changes nothing.
import { z } from 'zod';
import { BadRequest } from '../errors.js';

/** A page's form: its own fields plus the CSRF token (checked before the route runs). */
export const pageForm = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ _csrf: z.string().optional(), ...shape });

/** A field a form may send once, many times (checkboxes) or not at all: always a list. */
export const listOf = <T extends z.ZodType>(item: T) =>
  z
    .union([item, z.array(item)])
    .optional()
    .transform((v): z.output<T>[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** An optional text field: the empty string a browser sends for an empty box is no value. */
export const optionalText = (text: z.ZodString) =>
  z
    .literal('')
    .or(text)
    .optional()
    .transform((v) => v || undefined);

/** Parses a form body whose fields the page then checks one by one: a body of another shape is 400. */
export function parsePageForm<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new BadRequest('This form is not one the page sent.', 'invalid_form');
  return parsed.data;
}

/** A search box in a page's address: trimmed, at most 200 characters, empty or odd is no search (never an error). */
export const searchText = z
  .string()
  .optional()
  .catch(undefined)
  .transform((s) => s?.trim().slice(0, 200) || undefined);
