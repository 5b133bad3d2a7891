// TLS, header insertion and HSTS fields of listeners, and re-encryption fields of
// pools (Octavia's columns of the same names). One ALTER per column and plain types,
// so the same migration runs on SQLite and PostgreSQL. SNI refs are a JSON array in
// one column (Octavia keeps a side table): they are only ever read with the listener.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
type Db = Kysely<any>;

type ColumnSpec = [
  name: string,
  type: 'varchar(255)' | 'varchar(2048)' | 'varchar(16)' | 'text' | 'integer',
  notNullDefault?: string | number,
];

const LISTENER_COLUMNS: ColumnSpec[] = [
  ['insert_headers', 'text', '{}'],
  ['tls_certificate_id', 'varchar(255)'],
  ['sni_containers', 'text', '[]'],
  ['client_ca_tls_certificate_id', 'varchar(255)'],
  ['client_authentication', 'varchar(16)', 'NONE'],
  ['client_crl_container_id', 'varchar(255)'],
  ['tls_ciphers', 'varchar(2048)'],
  ['tls_versions', 'text'],
  ['alpn_protocols', 'text'],
  ['hsts_max_age', 'integer'],
  ['hsts_include_subdomains', 'integer'],
  ['hsts_preload', 'integer'],
];

const POOL_COLUMNS: ColumnSpec[] = [
  ['tls_certificate_id', 'varchar(255)'],
  ['ca_tls_certificate_id', 'varchar(255)'],
  ['crl_container_id', 'varchar(255)'],
  ['tls_enabled', 'integer', 0],
  ['tls_ciphers', 'varchar(2048)'],
  ['tls_versions', 'text'],
  ['alpn_protocols', 'text'],
];

async function addColumns(db: Db, table: string, columns: ColumnSpec[]): Promise<void> {
  for (const [name, type, dflt] of columns) {
    await db.schema
      .alterTable(table)
      .addColumn(name, type, (c) => (dflt === undefined ? c : c.notNull().defaultTo(dflt)))
      .execute();
  }
}

export async function up(db: Db): Promise<void> {
  await addColumns(db, 'listener', LISTENER_COLUMNS);
  await addColumns(db, 'pool', POOL_COLUMNS);
}

export async function down(db: Db): Promise<void> {
  for (const [name] of POOL_COLUMNS) await db.schema.alterTable('pool').dropColumn(name).execute();
  for (const [name] of LISTENER_COLUMNS) await db.schema.alterTable('listener').dropColumn(name).execute();
}
