// Listener rows.
import type { Selectable, Transaction, Updateable } from 'kysely';
import { now, type Executor } from './database.js';
import { listRows, type ListSpec } from './list-query.js';
import type { Database, ListenerTable, ProvisioningStatus } from './schema.js';

export type ListenerRow = Selectable<ListenerTable>;

export function getListener(ex: Executor, id: string): Promise<ListenerRow | undefined> {
  return ex.selectFrom('listener').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listListeners(
  ex: Executor,
  spec: ListSpec,
  scope: { column: string; value: string }[],
): Promise<ListenerRow[]> {
  return listRows<ListenerRow>(ex, 'listener', spec, scope);
}

/** Listeners of a load balancer on a port (any protocol). */
export function listenersOnPort(ex: Executor, loadBalancerId: string, port: number): Promise<ListenerRow[]> {
  return ex
    .selectFrom('listener')
    .selectAll()
    .where('load_balancer_id', '=', loadBalancerId)
    .where('protocol_port', '=', port)
    .execute();
}

/** Listeners whose default pool is `poolId`. */
export async function listenersOfPool(ex: Executor, poolId: string): Promise<string[]> {
  const rows = await ex
    .selectFrom('listener')
    .select('id')
    .where('default_pool_id', '=', poolId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function insertListener(trx: Transaction<Database>, row: ListenerRow): Promise<void> {
  await trx.insertInto('listener').values(row).execute();
}

export async function updateListener(
  trx: Transaction<Database>,
  id: string,
  patch: Updateable<ListenerTable>,
): Promise<void> {
  await trx
    .updateTable('listener')
    .set({ ...patch, updated_at: now() })
    .where('id', '=', id)
    .execute();
}

export async function setListenerStatus(
  trx: Transaction<Database>,
  id: string,
  status: ProvisioningStatus,
): Promise<void> {
  await updateListener(trx, id, { provisioning_status: status });
}
