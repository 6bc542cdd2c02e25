// The terms of service a sign-up accepts (TERMS_URL, TERMS_VERSION): the page the checkbox links to, and
// the version the new account records with the time it was accepted.
export interface Terms {
  url: string;
  version: string;
}

/** The value a sign-up form's checkbox posts when ticked. */
export const TERMS_ACCEPTED = 'accepted';

/** The account columns a sign-up writes: the version and the time when terms were accepted, else nothing. */
export const termsAcceptance = (version: string | undefined, now: Date) =>
  version === undefined
    ? { termsVersion: null, termsAcceptedAt: null }
    : { termsVersion: version, termsAcceptedAt: now };
