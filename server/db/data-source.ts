// Builds the TypeORM DataSource for the configured database (sql.js file or MySQL/MariaDB).
import 'reflect-metadata';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { type DatabaseConfig, POOL_DEFAULTS } from '../config.js';
import { entities } from './entities/index.js';

export function createDataSource(database: DatabaseConfig): DataSource {
  const common = { entities, migrations, synchronize: false, migrationsRun: false, logging: false } as const;
  if (database.kind === 'mysql') {
    return new DataSource({
      ...common,
      type: 'mysql',
      url: database.url,
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
      // mysql2 has no acquire timeout: Database bounds the wait; the queue limit bounds how many wait.
      extra: {
        connectionLimit: (database.pool ?? POOL_DEFAULTS).size,
        queueLimit: (database.pool ?? POOL_DEFAULTS).queueLimit,
        // mysql2 otherwise captures a stack trace at every query, for its errors' stacks (TypeORM gives a
        // failed query's error its own): ~8 % of the CPU of a redemption, paid by every statement.
        trace: false,
      },
    } satisfies DataSourceOptions);
  }
  const file = resolve(database.file);
  mkdirSync(dirname(file), { recursive: true });
  // Loaded from `location` at start; saved by Database (write-behind), not after every statement.
  return new DataSource({ ...common, type: 'sqljs', location: file, autoSave: false } satisfies DataSourceOptions);
}

/** Writes the database to a temporary file and renames it, so a crash mid-write never leaves a torn file. */
export function saveSqliteFile(dataSource: DataSource, file: string): void {
  const data = (dataSource.driver as unknown as { export(): Uint8Array }).export();
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}
