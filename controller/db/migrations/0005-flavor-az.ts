// Flavors, availability zones and their profiles (Octavia's flavor_profile, flavor,
// availability_zone_profile, availability_zone). Load balancers already carry
// flavor_id and availability_zone (0001); "in use" is checked by the API, since a
// migration here only adds tables.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('flavor_profile')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('provider_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('flavor_data', 'varchar(4096)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('flavor')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('flavor_profile_id', 'varchar(36)', (c) => c.notNull().references('flavor_profile.id'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('flavor_profile_idx').on('flavor').column('flavor_profile_id').execute();

  await db.schema
    .createTable('availability_zone_profile')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('provider_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('availability_zone_data', 'varchar(4096)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('availability_zone')
    .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('availability_zone_profile_id', 'varchar(36)', (c) =>
      c.notNull().references('availability_zone_profile.id'),
    )
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('availability_zone_profile_idx')
    .on('availability_zone')
    .column('availability_zone_profile_id')
    .execute();
  await db.schema.createIndex('load_balancer_flavor_idx').on('load_balancer').column('flavor_id').execute();
  await db.schema
    .createIndex('load_balancer_availability_zone_idx')
    .on('load_balancer')
    .column('availability_zone')
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex('load_balancer_availability_zone_idx').execute();
  await db.schema.dropIndex('load_balancer_flavor_idx').execute();
  for (const t of ['availability_zone', 'availability_zone_profile', 'flavor', 'flavor_profile']) {
    await db.schema.dropTable(t).execute();
  }
}
