// Quotas (Octavia's `quotas` table): one row per project with an explicit quota;
// a null column means "the configured default". Usage is counted, not stored.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type Db = Kysely<any>;

const QUOTA_COLUMNS = [
  'load_balancer',
  'listener',
  'pool',
  'health_monitor',
  'member',
  'l7policy',
  'l7rule',
] as const;

export async function up(db: Db): Promise<void> {
  let table = db.schema.createTable('quota').addColumn('project_id', 'varchar(255)', (c) => c.primaryKey());
  for (const column of QUOTA_COLUMNS) table = table.addColumn(column, 'integer');
  await table.execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('quota').execute();
}
