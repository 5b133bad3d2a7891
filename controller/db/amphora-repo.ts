// Amphora rows, for the worker (provisioning) and health (heartbeats, failover).
import type { Insertable, Selectable, Updateable } from 'kysely';
import { now, type Executor } from './database.js';
import { listRows, type ListSpec } from './list-query.js';
import type { AmphoraTable } from './schema.js';

export type AmphoraRow = Selectable<AmphoraTable>;

/** A new amphora: the columns without a natural default are required. */
export type NewAmphora = Pick<AmphoraTable, 'id' | 'status' | 'role'> & Partial<AmphoraTable>;

export async function createAmphora(ex: Executor, row: NewAmphora): Promise<AmphoraRow> {
  const full: Insertable<AmphoraTable> = {
    load_balancer_id: null,
    compute_id: null,
    lb_network_ip: null,
    vrrp_ip: null,
    ha_ip: null,
    vrrp_port_id: null,
    ha_port_id: null,
    vrrp_interface: null,
    vrrp_id: null,
    vrrp_priority: null,
    member_ips: '{}',
    cert_expiration: null,
    desired_version: 0,
    applied_version: 0,
    last_heartbeat_at: null,
    created_at: now(),
    updated_at: null,
    ...row,
  };
  await ex.insertInto('amphora').values(full).execute();
  return (await getAmphora(ex, full.id))!;
}

export function getAmphora(ex: Executor, id: string): Promise<AmphoraRow | undefined> {
  return ex.selectFrom('amphora').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listAmphorae(
  ex: Executor,
  filter: { loadBalancerId?: string; status?: string } = {},
): Promise<AmphoraRow[]> {
  let q = ex.selectFrom('amphora').selectAll();
  if (filter.loadBalancerId !== undefined) q = q.where('load_balancer_id', '=', filter.loadBalancerId);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  return q.orderBy('created_at').orderBy('id').execute();
}

/**
 * One page of the admin API's amphora list; DELETED rows are hidden, as in
 * Octavia. `projectId` keeps the amphorae of that project's load balancers.
 */
export async function listAmphoraPage(
  ex: Executor,
  spec: ListSpec,
  projectId?: string,
): Promise<AmphoraRow[]> {
  if (projectId !== undefined) {
    const lbs = await ex
      .selectFrom('load_balancer')
      .select('id')
      .where('project_id', '=', projectId)
      .execute();
    if (!lbs.length) return [];
    spec = {
      ...spec,
      filters: [...spec.filters, { column: 'load_balancer_id', values: lbs.map((l) => l.id) }],
    };
  }
  return listRows<AmphoraRow>(ex, 'amphora', spec, [], [{ column: 'status', value: 'DELETED' }]);
}

export async function updateAmphora(
  ex: Executor,
  id: string,
  patch: Updateable<AmphoraTable>,
): Promise<boolean> {
  const r = await ex
    .updateTable('amphora')
    .set({ ...patch, updated_at: now() })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteAmphora(ex: Executor, id: string): Promise<boolean> {
  const r = await ex.deleteFrom('amphora').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}
