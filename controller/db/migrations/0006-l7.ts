// L7 policies and rules (Octavia's l7policy and l7rule tables). A policy belongs to
// a listener and goes with it; a rule belongs to a policy and goes with it. A pool
// that a policy redirects to cannot be deleted (the API answers 409 first; the
// foreign key keeps it true). Positions are 1..n per listener, renumbered densely.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('l7policy')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('listener_id', 'varchar(36)', (c) => c.notNull().references('listener.id').onDelete('cascade'))
    .addColumn('action', 'varchar(36)', (c) => c.notNull())
    .addColumn('redirect_pool_id', 'varchar(36)', (c) => c.references('pool.id'))
    .addColumn('redirect_url', 'varchar(255)')
    .addColumn('redirect_prefix', 'varchar(255)')
    .addColumn('redirect_http_code', 'integer')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('provisioning_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('operating_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('l7policy_listener_idx').on('l7policy').column('listener_id').execute();
  await db.schema.createIndex('l7policy_project_idx').on('l7policy').column('project_id').execute();
  await db.schema
    .createIndex('l7policy_redirect_pool_idx')
    .on('l7policy')
    .column('redirect_pool_id')
    .execute();

  await db.schema
    .createTable('l7rule')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('l7policy_id', 'varchar(36)', (c) => c.notNull().references('l7policy.id').onDelete('cascade'))
    .addColumn('type', 'varchar(36)', (c) => c.notNull())
    .addColumn('compare_type', 'varchar(36)', (c) => c.notNull())
    .addColumn('key', 'varchar(255)')
    .addColumn('value', 'varchar(255)', (c) => c.notNull())
    .addColumn('invert', 'integer', (c) => c.notNull())
    .addColumn('provisioning_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('operating_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('l7rule_policy_idx').on('l7rule').column('l7policy_id').execute();
  await db.schema.createIndex('l7rule_project_idx').on('l7rule').column('project_id').execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('l7rule').execute();
  await db.schema.dropTable('l7policy').execute();
}
