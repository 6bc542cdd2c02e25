import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * The counters of rate-limiter-flexible's MySQL store, in its own column layout, so the table is
 * created by migrations like every other one (SQLite counts in memory and leaves it empty).
 */
export class RateLimits1732200000001 implements MigrationInterface {
  name = 'RateLimits1732200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'rate_limits',
        columns: [
          { name: 'key', type: 'varchar', length: '255', isPrimary: true },
          { name: 'points', type: 'int', default: 0 },
          { name: 'expire', type: 'bigint', unsigned: true, isNullable: true },
        ],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('rate_limits');
  }
}
