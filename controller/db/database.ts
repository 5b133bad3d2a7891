// Opening the controller's database: SQLite through better-sqlite3, migrated to the
// latest schema before anyone uses it.
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Transaction } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ControllerConfig } from '../config.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
/** Either the database or an open transaction: repository functions accept both. */
export type Executor = Kysely<Database> | Transaction<Database>;

export async function migrateToLatest(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(
      `database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`,
    );
  }
}

export async function openDatabase(config: Pick<ControllerConfig, 'database'>): Promise<Db> {
  const path = config.database.path;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  if (path !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // Several controller processes may share one file: wait for the write lock.
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrateToLatest(db);
  return db;
}

/** Timestamps are ISO-8601 strings without milliseconds, as Octavia shows them. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, '');
}
