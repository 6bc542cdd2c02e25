// Libraries that only rare paths need (SAML, passkeys, phone numbers, SMTP) are loaded at their first use, not at
// start: together they held ~10 MB of heap and ~17 MB of RSS in every process, most of which never uses them
// (DESIGN §13: < 150 MB at rest). Loaded with `require` (each ships a CommonJS build), so callers stay synchronous.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A getter for `specifier`'s exports: the first call loads the library, later calls answer the same module. */
export function loadedAtFirstUse<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(specifier) as T;
    return loaded;
  };
}
