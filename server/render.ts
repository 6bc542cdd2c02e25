// Renders nunjucks templates from views/ with the message catalogue; one environment for pages and mail.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';

const viewsDir = fileURLToPath(new URL('../views/', import.meta.url));

type Catalogue = Record<string, string>;
const catalogues: Record<string, Catalogue> = {
  en: JSON.parse(readFileSync(`${viewsDir}locales/en.json`, 'utf8')) as Catalogue,
};

export const DEFAULT_LOCALE = 'en';

/** The languages the message catalogue speaks (an invitation's pre-filled locale must be one). */
export const SUPPORTED_LOCALES: readonly string[] = Object.keys(catalogues);

/** Picks the best catalogue for a locale tag such as `en-GB`; English when none fits. */
export function resolveLocale(tag: string | null | undefined): string {
  const base = (tag ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return catalogues[base] ? base : DEFAULT_LOCALE;
}

/** Looks a message up and fills `{name}` placeholders; a missing key shows itself, so tests catch it. */
export function translate(locale: string, key: string, params: Record<string, unknown> = {}): string {
  const message = catalogues[resolveLocale(locale)]?.[key] ?? catalogues[DEFAULT_LOCALE]?.[key] ?? key;
  return message.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}

/**
 * Names in a mail subject are cut to this many characters with an ellipsis: names may be 200
 * characters long, and a subject with two of them must still fit the outbox's column (300).
 */
export const SUBJECT_NAME_MAX = 80;

/** A mail subject from the catalogue, its placeholders shortened so that every subject fits. */
export function translateSubject(locale: string, key: string, params: Record<string, unknown> = {}): string {
  const shortened = Object.entries(params).map(([name, value]) => [
    name,
    typeof value === 'string' ? shorten(value, SUBJECT_NAME_MAX) : value,
  ]);
  return translate(locale, key, Object.fromEntries(shortened));
}

/** At most `max` UTF-16 units (what the outbox counts), never splitting a surrogate pair. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end--;
  return `${text.slice(0, end)}…`;
}

export class Renderer {
  private readonly env: nunjucks.Environment;

  constructor(readonly issuer: string) {
    this.env = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir, { noCache: false }), {
      autoescape: true,
      throwOnUndefined: false,
    });
  }

  render(template: string, context: Record<string, unknown> & { locale?: string }): string {
    const locale = resolveLocale(context.locale);
    return this.env.render(template, {
      ...context,
      locale,
      issuer: this.issuer,
      t: (key: string, params?: Record<string, unknown>) => translate(locale, key, params),
    });
  }
}
