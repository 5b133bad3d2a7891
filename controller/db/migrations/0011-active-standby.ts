// ACTIVE_STANDBY (issue 12): the VRRP attributes of an amphora as Octavia keeps them
// (vrrp_port_id, ha_port_id, vrrp_interface, vrrp_id, vrrp_priority), the VRRP group of a
// load balancer (its virtual router id, unique per VIP network so two load balancers on
// one network never answer each other's adverts, and the shared VRRP password), and
// jobs that name one amphora (failover_amphora) with the reason given. Plain types, so
// the same migration runs on SQLite and PostgreSQL.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  for (const [name, type] of [
    ['vrrp_port_id', 'varchar(36)'],
    ['ha_port_id', 'varchar(36)'],
    ['vrrp_interface', 'varchar(16)'],
    ['vrrp_id', 'integer'],
    ['vrrp_priority', 'integer'],
  ] as const) {
    await db.schema.alterTable('amphora').addColumn(name, type).execute();
  }
  await db.schema.alterTable('job').addColumn('amphora_id', 'varchar(36)').execute();
  await db.schema.alterTable('job').addColumn('reason', 'varchar(255)').execute();
  await db.schema
    .createTable('vrrp_group')
    .addColumn('load_balancer_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('vip_network_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('vrrp_id', 'integer', (c) => c.notNull())
    .addColumn('auth_pass', 'varchar(8)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('vrrp_group_network_id_idx')
    .on('vrrp_group')
    .columns(['vip_network_id', 'vrrp_id'])
    .unique()
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('vrrp_group').execute();
  for (const name of ['amphora_id', 'reason']) await db.schema.alterTable('job').dropColumn(name).execute();
  for (const name of ['vrrp_port_id', 'ha_port_id', 'vrrp_interface', 'vrrp_id', 'vrrp_priority']) {
    await db.schema.alterTable('amphora').dropColumn(name).execute();
  }
}
