// Quota rows (a project's explicit limits) and the check every create makes inside
// its own transaction: count what the project has, refuse when the limit is reached.
import { sql, type Selectable, type Transaction } from 'kysely';
import type { QuotaDefaults } from '../config.js';
import { VeloxError } from '../errors.js';
import type { Executor } from './database.js';
import { ADVISORY_LOCK, isPostgres, lockUntilCommit } from './dialect.js';
import type { Database, QuotaTable } from './schema.js';

export type QuotaRow = Selectable<QuotaTable>;
export type QuotaResource = Exclude<keyof QuotaTable, 'project_id'>;
export type QuotaLimits = Record<QuotaResource, number>;
export type QuotaChanges = Partial<Record<QuotaResource, number | null>>;

export const QUOTA_RESOURCES: readonly QuotaResource[] = [
  'load_balancer',
  'listener',
  'pool',
  'health_monitor',
  'member',
  'l7policy',
  'l7rule',
];

export const UNLIMITED = -1;

/** Per resource: the config key of its default, the table counted, Octavia's name in errors. */
const RESOURCE: Record<QuotaResource, { config: keyof QuotaDefaults; table: string; name: string }> = {
  load_balancer: { config: 'loadBalancer', table: 'load_balancer', name: 'Load Balancer' },
  listener: { config: 'listener', table: 'listener', name: 'Listener' },
  pool: { config: 'pool', table: 'pool', name: 'Pool' },
  health_monitor: { config: 'healthMonitor', table: 'health_monitor', name: 'Health Monitor' },
  member: { config: 'member', table: 'member', name: 'Member' },
  l7policy: { config: 'l7policy', table: 'l7policy', name: 'L7 Policy' },
  l7rule: { config: 'l7rule', table: 'l7rule', name: 'L7 Rule' },
};

export function defaultLimits(defaults: QuotaDefaults): QuotaLimits {
  return Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, defaults[RESOURCE[r].config]])) as QuotaLimits;
}

/** The limits in force: the explicit ones, the configured default where there is none. */
export function effectiveLimits(row: QuotaRow | undefined, defaults: QuotaDefaults): QuotaLimits {
  const out = defaultLimits(defaults);
  for (const r of QUOTA_RESOURCES) out[r] = row?.[r] ?? out[r];
  return out;
}

export function getQuota(ex: Executor, projectId: string): Promise<QuotaRow | undefined> {
  return ex.selectFrom('quota').selectAll().where('project_id', '=', projectId).executeTakeFirst();
}

export function listQuotas(ex: Executor, projectId?: string): Promise<QuotaRow[]> {
  let q = ex.selectFrom('quota').selectAll();
  if (projectId !== undefined) q = q.where('project_id', '=', projectId);
  return q.orderBy('project_id').execute();
}

/** Sets the given limits (null = back to the default), creating the project's row if needed. */
export async function setQuota(ex: Executor, projectId: string, changes: QuotaChanges): Promise<void> {
  const blank = Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, null])) as Record<QuotaResource, null>;
  const insert = ex.insertInto('quota').values({ ...blank, ...changes, project_id: projectId });
  await (
    Object.keys(changes).length
      ? insert.onConflict((oc) => oc.column('project_id').doUpdateSet(changes))
      : insert.onConflict((oc) => oc.column('project_id').doNothing())
  ).execute();
}

/** Back to the defaults: false when the project had no explicit quota. */
export async function deleteQuota(ex: Executor, projectId: string): Promise<boolean> {
  const res = await ex.deleteFrom('quota').where('project_id', '=', projectId).executeTakeFirst();
  return Number(res.numDeletedRows) === 1;
}

/** From here to the commit, no other transaction counts or creates this project's objects. */
async function lockProjectQuota(trx: Transaction<Database>, projectId: string): Promise<void> {
  if (isPostgres(trx)) return lockUntilCommit(trx, ADVISORY_LOCK.quota, projectId);
  await trx
    .updateTable('quota')
    .set({ project_id: sql.ref('project_id') })
    .where('project_id', '=', projectId)
    .execute();
}

/**
 * Refuses (Octavia's QuotaException, 403) `count` new `resource`s of `projectId` when
 * the project would have more than its limit. Call it inside the transaction that
 * inserts the objects, before the insert.
 *
 * Kysely begins SQLite transactions with a plain (deferred) BEGIN, which takes no lock:
 * two controller processes could both count N-1 and both insert. So the first thing
 * done here is a write statement (a no-op UPDATE: SQLite takes the database's write
 * lock for any write statement, even one matching no row); from then on no other
 * connection can write until this transaction ends, and the count stays true until
 * the insert commits. Inside one process Kysely's single connection serializes
 * transactions anyway. Under the status gate the lock is already held; taking it
 * again costs nothing.
 *
 * PostgreSQL locks rows, not the database, and a project without a quota row has no
 * row to lock; so there the transaction first takes an advisory lock on the project,
 * held until it commits. Creates of one project queue behind it (other projects do
 * not), and since every statement under READ COMMITTED reads what was committed
 * before it began, the count taken after the lock includes every earlier create.
 * (A SERIALIZABLE transaction would need a retry loop around every create and turn
 * lost races into errors; the lock makes the second create simply wait.)
 */
export async function checkQuota(
  trx: Transaction<Database>,
  projectId: string,
  resource: QuotaResource,
  defaults: QuotaDefaults,
  count = 1,
): Promise<void> {
  await lockProjectQuota(trx, projectId);
  const limit = effectiveLimits(await getQuota(trx, projectId), defaults)[resource];
  if (limit === UNLIMITED) return;
  const spec = RESOURCE[resource];
  // The table is named dynamically: health monitors and L7 tables are added by later migrations.
  const { rows } = await sql<{ n: number }>`
    select count(*) as n from ${sql.table(spec.table)}
    where project_id = ${projectId} and provisioning_status <> 'DELETED'`.execute(trx);
  if (Number(rows[0]?.n ?? 0) + count > limit)
    throw new VeloxError('QuotaException', { resource: spec.name });
}
