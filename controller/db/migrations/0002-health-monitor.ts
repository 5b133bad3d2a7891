// Health monitors (Octavia's health_monitor table): at most one per pool, removed
// with its pool. max_retries / max_retries_down are stored under Octavia's column
// names rise_threshold / fall_threshold.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('health_monitor')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('pool_id', 'varchar(36)', (c) => c.notNull().references('pool.id').onDelete('cascade'))
    .addColumn('type', 'varchar(36)', (c) => c.notNull())
    .addColumn('delay', 'integer', (c) => c.notNull())
    .addColumn('timeout', 'integer', (c) => c.notNull())
    .addColumn('rise_threshold', 'integer', (c) => c.notNull())
    .addColumn('fall_threshold', 'integer', (c) => c.notNull())
    .addColumn('http_method', 'varchar(16)')
    .addColumn('url_path', 'varchar(2048)')
    .addColumn('expected_codes', 'varchar(64)')
    .addColumn('http_version', 'real')
    .addColumn('domain_name', 'varchar(255)')
    .addColumn('provisioning_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('operating_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute();
  // One health monitor per pool (Octavia's uq_health_monitor_pool).
  await db.schema
    .createIndex('health_monitor_pool_uq')
    .on('health_monitor')
    .column('pool_id')
    .unique()
    .execute();
  await db.schema
    .createIndex('health_monitor_project_idx')
    .on('health_monitor')
    .column('project_id')
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('health_monitor').execute();
}
