// Phone numbers as people type them -> E.164, with libphonenumber-js's full metadata (it knows which
// ranges exist, so a made-up number is refused before any SMS is paid for). Numbers are international:
// Tessera serves every country, so there is no default region to read a national number against.
import { loadedAtFirstUse } from '../first-use.js';

const libphonenumber = loadedAtFirstUse<typeof import('libphonenumber-js/max')>('libphonenumber-js/max');

export interface PhoneNumber {
  /** E.164: `+` and up to 15 digits, e.g. +4915112345678. The form stored and compared everywhere. */
  e164: string;
  /** The country calling code with its `+`, e.g. +49 (+1 covers the US, Canada and the Caribbean). */
  callingCode: string;
  /** ISO 3166-1 alpha-2, e.g. DE; absent for numbers not tied to one country (+800, +882…). */
  country?: string;
}

/** Ranges that cost the sender or reach no phone: SMS pumping's favourites, and never a person's own number. */
const REFUSED_TYPES = new Set(['PREMIUM_RATE', 'SHARED_COST', 'TOLL_FREE', 'VOICEMAIL', 'UAN']);

/**
 * The number in `input` (`+49 151 1234 5678`, `0049…`, `+1 (202) 555-0123`, `tel:+…`), or undefined when it
 * is not an international number that exists, carries an extension, or is of a kind that receives no SMS.
 */
export function parsePhoneNumber(input: string): PhoneNumber | undefined {
  const typed = input.trim().replace(/^tel:/i, '').replace(/^00/, '+');
  if (typed.length > 40 || !typed.startsWith('+')) return undefined;
  const parsed = libphonenumber().parsePhoneNumberFromString(typed);
  if (!parsed?.isValid() || parsed.ext) return undefined;
  const type = parsed.getType();
  if (type && REFUSED_TYPES.has(type)) return undefined;
  return {
    e164: parsed.number,
    callingCode: `+${parsed.countryCallingCode}`,
    ...(parsed.country ? { country: parsed.country } : {}),
  };
}

/**
 * Whether SMS may go to the number's country. `allowed` lists calling codes (`+44`) and ISO countries (`GB`);
 * an empty list allows every country. A code allows every country that shares it (+1: US, CA, JM…).
 */
export function smsCountryAllowed(number: PhoneNumber, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  return allowed.includes(number.callingCode) || (number.country !== undefined && allowed.includes(number.country));
}
