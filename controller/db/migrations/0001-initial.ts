// The first schema: every table of schema.ts, with the indexes the API and the
// worker query by. Written with Kysely's schema builder so that it runs unchanged
// on SQLite and PostgreSQL.
import type { CreateTableBuilder, Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type Db = Kysely<any>;

/** The columns of every Octavia resource table (load balancer, listener, pool, member). */
function commonColumns<T extends string>(table: CreateTableBuilder<T>) {
  return table
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('provisioning_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('operating_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)');
}

export async function up(db: Db): Promise<void> {
  await commonColumns(db.schema.createTable('load_balancer'))
    .addColumn('vip_address', 'varchar(64)', (c) => c.notNull())
    .addColumn('vip_port_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('vip_subnet_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('vip_network_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('provider', 'varchar(64)', (c) => c.notNull())
    .addColumn('topology', 'varchar(16)', (c) => c.notNull())
    .addColumn('flavor_id', 'varchar(36)')
    .addColumn('availability_zone', 'varchar(255)')
    .execute();
  await db.schema.createIndex('load_balancer_project_idx').on('load_balancer').column('project_id').execute();

  await commonColumns(db.schema.createTable('listener'))
    .addColumn('load_balancer_id', 'varchar(36)', (c) =>
      c.notNull().references('load_balancer.id').onDelete('cascade'),
    )
    .addColumn('protocol', 'varchar(32)', (c) => c.notNull())
    .addColumn('protocol_port', 'integer', (c) => c.notNull())
    .addColumn('connection_limit', 'integer', (c) => c.notNull())
    .addColumn('default_pool_id', 'varchar(36)')
    .addColumn('timeout_client_data', 'integer', (c) => c.notNull())
    .addColumn('timeout_member_connect', 'integer', (c) => c.notNull())
    .addColumn('timeout_member_data', 'integer', (c) => c.notNull())
    .addColumn('timeout_tcp_inspect', 'integer', (c) => c.notNull())
    .addColumn('allowed_cidrs', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.createIndex('listener_lb_idx').on('listener').column('load_balancer_id').execute();
  await db.schema.createIndex('listener_project_idx').on('listener').column('project_id').execute();
  // One listener per L4 protocol and port on a load balancer (TCP and UDP may share a port).
  await db.schema
    .createIndex('listener_lb_protocol_port_uq')
    .on('listener')
    .columns(['load_balancer_id', 'protocol', 'protocol_port'])
    .unique()
    .execute();
  await db.schema.createIndex('listener_default_pool_idx').on('listener').column('default_pool_id').execute();

  await commonColumns(db.schema.createTable('pool'))
    .addColumn('load_balancer_id', 'varchar(36)', (c) =>
      c.notNull().references('load_balancer.id').onDelete('cascade'),
    )
    .addColumn('protocol', 'varchar(32)', (c) => c.notNull())
    .addColumn('lb_algorithm', 'varchar(32)', (c) => c.notNull())
    .addColumn('session_persistence', 'text')
    .execute();
  await db.schema.createIndex('pool_lb_idx').on('pool').column('load_balancer_id').execute();
  await db.schema.createIndex('pool_project_idx').on('pool').column('project_id').execute();

  await commonColumns(db.schema.createTable('member'))
    .addColumn('pool_id', 'varchar(36)', (c) => c.notNull().references('pool.id').onDelete('cascade'))
    .addColumn('address', 'varchar(64)', (c) => c.notNull())
    .addColumn('protocol_port', 'integer', (c) => c.notNull())
    .addColumn('subnet_id', 'varchar(36)')
    .addColumn('weight', 'integer', (c) => c.notNull())
    .addColumn('backup', 'integer', (c) => c.notNull())
    .addColumn('monitor_address', 'varchar(64)')
    .addColumn('monitor_port', 'integer')
    .execute();
  await db.schema
    .createIndex('member_pool_address_port_uq')
    .on('member')
    .columns(['pool_id', 'address', 'protocol_port'])
    .unique()
    .execute();
  await db.schema.createIndex('member_project_idx').on('member').column('project_id').execute();

  await db.schema
    .createTable('amphora')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('load_balancer_id', 'varchar(36)')
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('compute_id', 'varchar(255)')
    .addColumn('lb_network_ip', 'varchar(64)')
    .addColumn('vrrp_ip', 'varchar(64)')
    .addColumn('ha_ip', 'varchar(64)')
    .addColumn('member_ips', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('cert_expiration', 'varchar(32)')
    .addColumn('desired_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('applied_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_heartbeat_at', 'varchar(32)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('amphora_lb_idx').on('amphora').column('load_balancer_id').execute();
  await db.schema.createIndex('amphora_status_idx').on('amphora').column('status').execute();

  await db.schema
    .createTable('job')
    // An increasing key that orders the queue: SQLite's AUTOINCREMENT, PostgreSQL's serial.
    .addColumn('id', isPostgres(db) ? 'serial' : 'integer', (c) =>
      isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('load_balancer_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'varchar(255)')
    .addColumn('lease_until', 'varchar(32)')
    .addColumn('error', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('job_state_idx').on('job').columns(['state', 'id']).execute();
  await db.schema.createIndex('job_lb_idx').on('job').columns(['load_balancer_id', 'state']).execute();

  await db.schema
    .createTable('port')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('network_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('subnet_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('ip_address', 'varchar(64)', (c) => c.notNull())
    .addColumn('mac_address', 'varchar(32)', (c) => c.notNull())
    .addColumn('device_owner', 'varchar(255)', (c) => c.notNull())
    .addColumn('device_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('port_subnet_ip_uq')
    .on('port')
    .columns(['subnet_id', 'ip_address'])
    .unique()
    .execute();
  await db.schema.createIndex('port_device_idx').on('port').column('device_id').execute();
}

export async function down(db: Db): Promise<void> {
  for (const t of ['port', 'job', 'amphora', 'member', 'pool', 'listener', 'load_balancer']) {
    await db.schema.dropTable(t).execute();
  }
}
