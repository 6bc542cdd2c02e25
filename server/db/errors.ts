// Recognises database errors that the services turn into answers of their own.

/** A unique-key clash, as MySQL (ER_DUP_ENTRY) or SQLite reports it. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string }; message?: string } | undefined;
  return e?.code === 'ER_DUP_ENTRY' || e?.driverError?.code === 'ER_DUP_ENTRY' || /UNIQUE constraint failed/i.test(e?.message ?? '');
}
