// Fixed SQL for the hot paths (token issuance, the provider's storage): no query building per request.
// Parameters are named (`:id`) and converted by the driver as TypeORM's query builder converts them (dates
// become UTC text on SQLite); both databases take the same statement text.
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** Runs one statement on `m`'s connection and returns the driver's raw answer (rows, or the write's result). */
export function runStatement<T>(m: EntityManager, text: string, params: Record<string, unknown> = {}): Promise<T> {
  const [query, values] = m.connection.driver.escapeQueryWithParameters(text, params);
  return m.query(query, values) as Promise<T>;
}

/** Turns a raw column value read by `runStatement` into what the entity's property holds (e.g. a Date). */
export function hydrate<E extends ObjectLiteral>(
  m: EntityManager,
  entity: EntityTarget<E>,
  property: keyof E & string,
  raw: unknown,
): unknown {
  const column = m.connection.getMetadata(entity).findColumnWithPropertyName(property);
  if (!column) throw new Error(`no column for ${property}`);
  return raw === null || raw === undefined ? null : m.connection.driver.prepareHydratedValue(raw, column);
}
