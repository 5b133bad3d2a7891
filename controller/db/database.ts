// Opening the controller's database: SQLite through better-sqlite3 (the embedded
// default) or PostgreSQL through pg, migrated to the latest schema before anyone
// uses it. Both run the same migrations and repositories; the few places where the
// SQL differs ask isPostgres() (./dialect.ts).
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
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
  const db =
    config.database.driver === 'postgres'
      ? openPostgres(config.database.url)
      : openSqlite(config.database.path);
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

function openSqlite(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  if (path !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // Several controller processes may share one file: wait for the write lock.
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

// pg returns 64-bit integers (bigint columns, count(*)) and numerics (sum()) as strings,
// since they may exceed 2^53; SQLite returns numbers. Counters here stay far below 2^53,
// so both dialects hand the repositories plain numbers.
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

function openPostgres(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, types: pgTypes });
  // A connection lost to a server restart or failover must not crash the controller: pg
  // emits 'error' on the client (checked out or idle) besides failing its query. The
  // query's own error reaches the caller; the pool then drops the client and reconnects.
  pool.on('connect', (client) => client.on('error', () => undefined));
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Timestamps are ISO-8601 strings without milliseconds, as Octavia shows them. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, '');
}
