// EXPERIMENT (not a fix, changes no server code): what SQLite throughput becomes when sql.js writes its file
// at most once a second instead of after every write statement.
//
//   npm run bench -- --db sqlite --only refresh,signin --no-bare --tessera-import bench/experiments/sqljs-debounced-save.ts
//
// TypeORM's sql.js driver calls autoSave() after each write outside a transaction: db.export() copies the
// whole database and the callback writes and renames the whole file. Here the save is deferred by up to
// 1 s and coalesced. A crash loses at most the last second of writes (the real fix must decide if that is
// acceptable, and flush on shutdown).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { SqljsDriver } = require('typeorm/driver/sqljs/SqljsDriver.js') as {
  SqljsDriver: {
    prototype: {
      autoSave(): Promise<void>;
      options: { autoSave?: boolean };
      queryRunner?: { isTransactionActive: boolean };
    };
  };
};
const save = SqljsDriver.prototype.autoSave;
const timers = new WeakMap<object, NodeJS.Timeout>();

SqljsDriver.prototype.autoSave = function debouncedAutoSave(this: typeof SqljsDriver.prototype) {
  if (!this.options.autoSave || timers.has(this)) return Promise.resolve();
  const flush = () => {
    if (this.queryRunner?.isTransactionActive) {
      timers.set(this, setTimeout(flush, 50));
      return;
    }
    timers.delete(this);
    void save.call(this);
  };
  timers.set(this, setTimeout(flush, 1000));
  return Promise.resolve();
};
process.stderr.write('[bench experiment] sql.js saves debounced to 1 s\n');
