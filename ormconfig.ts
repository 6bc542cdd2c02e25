// The DataSource for the TypeORM CLI: node --import tsx node_modules/typeorm/cli.js migration:run -d ormconfig.ts
import { loadConfig } from './server/config.js';
import { createDataSource } from './server/db/data-source.js';

export default createDataSource(loadConfig().database);
