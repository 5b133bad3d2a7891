// Health monitor rows.
import type { Selectable, Transaction, Updateable } from 'kysely';
import { now, type Executor } from './database.js';
import { listRows, type ListSpec } from './list-query.js';
import type { Database, HealthMonitorTable } from './schema.js';

export type HealthMonitorRow = Selectable<HealthMonitorTable>;

export function getHealthMonitor(ex: Executor, id: string): Promise<HealthMonitorRow | undefined> {
  return ex.selectFrom('health_monitor').selectAll().where('id', '=', id).executeTakeFirst();
}

export function healthMonitorOfPool(ex: Executor, poolId: string): Promise<HealthMonitorRow | undefined> {
  return ex.selectFrom('health_monitor').selectAll().where('pool_id', '=', poolId).executeTakeFirst();
}

export function listHealthMonitors(
  ex: Executor,
  spec: ListSpec,
  scope: { column: string; value: string }[],
): Promise<HealthMonitorRow[]> {
  return listRows<HealthMonitorRow>(ex, 'health_monitor', spec, scope);
}

export async function insertHealthMonitor(trx: Transaction<Database>, row: HealthMonitorRow): Promise<void> {
  await trx.insertInto('health_monitor').values(row).execute();
}

export async function updateHealthMonitor(
  trx: Transaction<Database>,
  id: string,
  patch: Updateable<HealthMonitorTable>,
): Promise<void> {
  await trx
    .updateTable('health_monitor')
    .set({ ...patch, updated_at: now() })
    .where('id', '=', id)
    .execute();
}
