// Fixed SQL for the hot paths (token issuance, the provider's storage): no query building per request.
// Parameters are named (`:id`) and converted by the driver as TypeORM's query builder converts them (dates
// become UTC text on SQLite); both databases take the same statement text.
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** What a statement answered: the rows it read, or how many rows it changed. */
export interface StatementResult<Row> {
  rows: Row[];
  affected: number;
}

/** Runs one statement on `m`'s connection (its transaction's, when it has one). */
export async function runStatement<Row = never>(
  m: EntityManager,
  text: string,
  params: Record<string, unknown> = {},
): Promise<StatementResult<Row>> {
  const [query, values] = m.connection.driver.escapeQueryWithParameters(text, params);
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const result = await runner.query(query, values, true);
    return { rows: (result.records ?? []) as Row[], affected: result.affected ?? 0 };
  } finally {
    if (!m.queryRunner) await runner.release();
  }
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
