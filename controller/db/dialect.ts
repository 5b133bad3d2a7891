// Which SQL dialect an executor speaks, for the few statements that differ between
// SQLite and PostgreSQL (a serial key, JSON tags, claim and quota locking). Kept apart
// from database.ts so that migrations can ask without importing the opener.
import { PostgresIntrospector, sql, type Kysely } from 'kysely';

/** True when `ex` (a database or a transaction) talks to PostgreSQL; false for SQLite. */
export function isPostgres(ex: Pick<Kysely<unknown>, 'introspection'>): boolean {
  return ex.introspection instanceof PostgresIntrospector;
}

/**
 * Namespaces (the first key) of the transaction-scoped advisory locks taken on
 * PostgreSQL; the second key is hashtext() of the object's id. A hash collision only
 * makes two unrelated objects wait for each other briefly.
 */
export const ADVISORY_LOCK = {
  /** One project's quota: count-then-insert of its creates (./quota-repo.ts). */
  quota: 0x56_51_01,
  /** One load balancer's jobs: at most one claimed at a time (./worker-repo.ts). */
  jobClaim: 0x56_51_02,
  /** One subnet's addresses: find-the-lowest-free-then-insert (drivers/network). */
  addresses: 0x56_51_03,
} as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema: a database or a transaction
type LockExecutor = Kysely<any>;

/**
 * On PostgreSQL, waits for the advisory lock (`namespace`, `key`) and holds it until the
 * transaction of `ex` ends: a read-then-write under it is not raced by another
 * controller. Outside a transaction it is released at once, so call it inside one.
 * On SQLite it does nothing: there the transaction's first write locks the whole
 * database, which the callers rely on already.
 */
export async function lockUntilCommit(ex: LockExecutor, namespace: number, key: string): Promise<void> {
  if (!isPostgres(ex)) return;
  await sql`select pg_advisory_xact_lock(${namespace}, hashtext(${key}))`.execute(ex);
}

/** As lockUntilCommit on PostgreSQL, without waiting: false if another transaction holds it. */
export async function tryLockUntilCommit(ex: LockExecutor, namespace: number, key: string): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`
    select pg_try_advisory_xact_lock(${namespace}, hashtext(${key})) as locked`.execute(ex);
  return rows[0]?.locked === true;
}
