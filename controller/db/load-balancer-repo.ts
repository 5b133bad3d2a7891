// Load balancer rows: reads for the API, and the writes the API makes inside a
// transaction (the status gate or the create transaction).
import type { Selectable, Transaction, Updateable } from 'kysely';
import { now, type Executor } from './database.js';
import { listRows, type ListSpec } from './list-query.js';
import type { Database, LoadBalancerTable } from './schema.js';

export type LoadBalancerRow = Selectable<LoadBalancerTable>;

export function getLoadBalancer(ex: Executor, id: string): Promise<LoadBalancerRow | undefined> {
  return ex.selectFrom('load_balancer').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listLoadBalancers(
  ex: Executor,
  spec: ListSpec,
  scope: { column: string; value: string }[],
): Promise<LoadBalancerRow[]> {
  return listRows<LoadBalancerRow>(ex, 'load_balancer', spec, scope);
}

export interface LoadBalancerChildren {
  listeners: string[];
  pools: string[];
}

/** Ids of the listeners and pools of each load balancer, in creation order. */
export async function loadBalancerChildren(
  ex: Executor,
  ids: string[],
): Promise<Map<string, LoadBalancerChildren>> {
  const out = new Map<string, LoadBalancerChildren>(ids.map((id) => [id, { listeners: [], pools: [] }]));
  if (!ids.length) return out;
  const listeners = await ex
    .selectFrom('listener')
    .select(['id', 'load_balancer_id'])
    .where('load_balancer_id', 'in', ids)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const l of listeners) out.get(l.load_balancer_id)?.listeners.push(l.id);
  const pools = await ex
    .selectFrom('pool')
    .select(['id', 'load_balancer_id'])
    .where('load_balancer_id', 'in', ids)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const p of pools) out.get(p.load_balancer_id)?.pools.push(p.id);
  return out;
}

export async function insertLoadBalancer(trx: Transaction<Database>, row: LoadBalancerRow): Promise<void> {
  await trx.insertInto('load_balancer').values(row).execute();
}

export async function updateLoadBalancer(
  trx: Transaction<Database>,
  id: string,
  patch: Updateable<LoadBalancerTable>,
): Promise<void> {
  await trx
    .updateTable('load_balancer')
    .set({ ...patch, updated_at: now() })
    .where('id', '=', id)
    .execute();
}

/** Cascade delete: every child is marked PENDING_DELETE; the worker removes the rows. */
export async function markChildrenDeleting(trx: Transaction<Database>, id: string): Promise<void> {
  const ts = now();
  const poolIds = trx.selectFrom('pool').select('id').where('load_balancer_id', '=', id);
  await trx
    .updateTable('health_monitor')
    .set({ provisioning_status: 'PENDING_DELETE', updated_at: ts })
    .where('pool_id', 'in', poolIds)
    .execute();
  await trx
    .updateTable('member')
    .set({ provisioning_status: 'PENDING_DELETE', updated_at: ts })
    .where('pool_id', 'in', poolIds)
    .execute();
  await trx
    .updateTable('pool')
    .set({ provisioning_status: 'PENDING_DELETE', updated_at: ts })
    .where('load_balancer_id', '=', id)
    .execute();
  await trx
    .updateTable('listener')
    .set({ provisioning_status: 'PENDING_DELETE', updated_at: ts })
    .where('load_balancer_id', '=', id)
    .execute();
}

export async function hasChildren(ex: Executor, id: string): Promise<boolean> {
  const l = await ex
    .selectFrom('listener')
    .select('id')
    .where('load_balancer_id', '=', id)
    .executeTakeFirst();
  if (l) return true;
  const p = await ex.selectFrom('pool').select('id').where('load_balancer_id', '=', id).executeTakeFirst();
  return p !== undefined;
}
