// The local secrets store (controller/drivers/secrets/local.ts): TLS certificates with
// their keys, CA bundles and CRLs that listeners and pools name by ref. The material is
// only ever stored sealed (AES-256-GCM, drivers/secrets/secret-box.ts) in `ciphertext`;
// subject, expiry and fingerprint are kept in clear for the API to show. Plain types, so
// the same migration runs on SQLite and PostgreSQL.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('secret')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('not_after', 'varchar(32)')
    .addColumn('fingerprint', 'varchar(95)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('secret_project_idx').on('secret').column('project_id').execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('secret').execute();
}
