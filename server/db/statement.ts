// Fixed SQL for the hot paths (token issuance, the provider's storage): no query building per request.
// Parameters are named (`:id`) and converted by the driver as TypeORM's query builder converts them (dates
// become UTC text on SQLite); both databases take the same statement text.
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** What a statement answered: the rows it read, or how many rows it changed. */
export interface StatementResult<Row> {
  rows: Row[];
  affected: number;
  /** MySQL: the insert id the statement reported (also what `LAST_INSERT_ID(expr)` in it set). */
  insertId: number;
}

/** A pooled mysql2 connection, used with its callback API. */
interface PooledConnection {
  query(sql: string, values: unknown[], done: (error: Error | null, result: unknown) => void): void;
  release(): void;
}

/**
 * Runs one statement on `m`'s connection (its transaction's, when it has one). Outside a transaction on MySQL
 * it borrows a pooled connection itself (with the pool's wait bound and session settings, database.ts) and
 * uses mysql2's callback API, past TypeORM's query runner (a runner per call, its broadcaster's events, mysql2's
 * promise wrapper).
 */
export async function runStatement<Row = never>(
  m: EntityManager,
  text: string,
  params: Record<string, unknown> = {},
): Promise<StatementResult<Row>> {
  const [query, values] = m.connection.driver.escapeQueryWithParameters(text, params);
  if (!m.queryRunner && m.connection.options.type === 'mysql') return onPooledConnection<Row>(m, query, values);
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const result = await runner.query(query, values, true);
    const insertId = Number((result.raw as { insertId?: number } | undefined)?.insertId ?? 0);
    return { rows: (result.records ?? []) as Row[], affected: result.affected ?? 0, insertId };
  } finally {
    if (!m.queryRunner) await runner.release();
  }
}

async function onPooledConnection<Row>(m: EntityManager, query: string, values: unknown[]) {
  const driver = m.connection.driver as unknown as { obtainMasterConnection(): Promise<PooledConnection> };
  const connection = await driver.obtainMasterConnection();
  try {
    const result = await new Promise<unknown>((resolve, reject) =>
      connection.query(query, values, (error, answer) => (error ? reject(error) : resolve(answer))),
    );
    if (Array.isArray(result)) return { rows: result as Row[], affected: 0, insertId: 0 };
    const written = result as { affectedRows?: number; insertId?: number };
    return { rows: [], affected: written.affectedRows ?? 0, insertId: Number(written.insertId ?? 0) };
  } finally {
    connection.release();
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

const findTexts = new Map<string, string>();

/**
 * One row of an entity by equality on some of its columns, hydrated as TypeORM hydrates it: for reads made at
 * every token issuance (an account, a session's sign-in). The statement's text is built once per database kind,
 * entity and set of columns.
 */
export async function findOneFixed<E extends ObjectLiteral>(
  m: EntityManager,
  entity: EntityTarget<E>,
  where: Partial<Record<keyof E & string, unknown>>,
): Promise<E | null> {
  const metadata = m.connection.getMetadata(entity);
  const { driver } = m.connection;
  const shape = `${m.connection.options.type} ${metadata.tableName} ${Object.keys(where).join(',')}`;
  let text = findTexts.get(shape);
  if (!text) {
    const columnOf = (property: string) => metadata.findColumnWithPropertyName(property)!.databaseName;
    const conditions = Object.keys(where).map((p) => `${driver.escape(columnOf(p))} = :${p}`);
    const columns = metadata.columns.map((c) => driver.escape(c.databaseName));
    text = `SELECT ${columns.join(', ')} FROM ${driver.escape(metadata.tableName)} WHERE ${conditions.join(' AND ')}`;
    findTexts.set(shape, text);
  }
  const {
    rows: [row],
  } = await runStatement<Record<string, unknown>>(m, text, where);
  if (!row) return null;
  const found = metadata.create() as E;
  for (const column of metadata.columns)
    column.setEntityValue(found, driver.prepareHydratedValue(row[column.databaseName], column));
  return found;
}
