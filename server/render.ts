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
