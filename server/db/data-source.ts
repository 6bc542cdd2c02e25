// Builds the TypeORM DataSource for the configured database (sql.js file or MySQL/MariaDB).
import 'reflect-metadata';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import type { DatabaseConfig } from '../config.js';
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
      extra: { connectionLimit: 10 },
    } satisfies DataSourceOptions);
  }
  const file = resolve(database.file);
  mkdirSync(dirname(file), { recursive: true });
  return new DataSource({
    ...common,
    type: 'sqljs',
    location: file,
    autoSave: true,
    // Write to a temporary file and rename, so a crash mid-write never leaves a torn database.
    autoSaveCallback: (data: Uint8Array) => {
      writeFileSync(`${file}.tmp`, data);
      renameSync(`${file}.tmp`, file);
    },
  } satisfies DataSourceOptions);
}
