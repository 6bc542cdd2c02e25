// Sign-up fields an invitation pre-fills (name, locale), each editable or fixed. A fixed field is shown
// read-only and the server keeps the invitation's value whatever the form posts: the page is not trusted.
import { SUPPORTED_LOCALES } from '../render.js';

export interface PrefilledField {
  value: string;
  editable: boolean;
}

export interface Prefill {
  name?: PrefilledField;
  locale?: PrefilledField;
}

/** The name and locale a sign-up records: the posted ones where the invitation lets them be changed. */
export function applyPrefill(
  prefill: Prefill | undefined,
  posted: { name: string; locale?: unknown },
  browserLocale: string,
): { name: string; locale: string } {
  const name = prefill?.name && !prefill.name.editable ? prefill.name.value : posted.name;
  const postedLocale =
    typeof posted.locale === 'string' && SUPPORTED_LOCALES.includes(posted.locale) ? posted.locale : undefined;
  const locale = prefill?.locale
    ? prefill.locale.editable
      ? (postedLocale ?? prefill.locale.value)
      : prefill.locale.value
    : browserLocale;
  return { name, locale };
}
