// Listener statistics from heartbeats: one row per listener and amphora, summed by
// the API (Octavia's listener_statistics). The *_offset columns keep the totals
// monotonic across data-plane restarts (controller/health/listener-counters.ts).
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('listener_statistics')
    .addColumn('listener_id', 'varchar(36)', (c) => c.notNull().references('listener.id').onDelete('cascade'))
    // No foreign key: the rows of a replaced amphora keep counting in the totals.
    .addColumn('amphora_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('bytes_in', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_out', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('active_connections', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total_connections', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('request_errors', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_in_offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_out_offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total_connections_offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('request_errors_offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('listener_statistics_pk', ['listener_id', 'amphora_id'])
    .execute();
  await db.schema
    .createIndex('listener_statistics_amphora_idx')
    .on('listener_statistics')
    .column('amphora_id')
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('listener_statistics').execute();
}
