// What the operator actions need from the database: load balancer failover (Octavia's
// set_status_for_failover: ACTIVE or ERROR may fail over), amphora failover (the one
// entry point the API and the health manager share), an amphora config push, and an
// amphora's statistics (Octavia's get_amphora_stats).
import { VeloxError } from '../errors.js';
import { now, type Db, type Executor } from './database.js';
import { enqueueJob } from './status-gate.js';
import type { ProvisioningStatus } from './schema.js';

const FAILOVERABLE: ProvisioningStatus[] = ['ACTIVE', 'ERROR'];

/** In one transaction: the load balancer becomes PENDING_UPDATE and failover_lb is enqueued. */
export async function startLoadBalancerFailover(db: Db, lbId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('load_balancer')
      .set({ provisioning_status: 'PENDING_UPDATE', updated_at: now() })
      .where('id', '=', lbId)
      .where('provisioning_status', 'in', FAILOVERABLE)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      const lb = await trx
        .selectFrom('load_balancer')
        .select('provisioning_status')
        .where('id', '=', lbId)
        .executeTakeFirst();
      if (!lb) throw new VeloxError('NotFound', { resource: 'Load Balancer', id: lbId });
      throw new VeloxError('LBPendingStateError', { state: lb.provisioning_status, id: lbId });
    }
    await enqueueJob(trx, 'failover_lb', lbId);
  });
}

/**
 * In one transaction: the amphora's load balancer becomes PENDING_UPDATE and a
 * failover_amphora job naming the amphora is enqueued (controller/worker/ha-flows.ts for
 * ACTIVE_STANDBY, a rebuild for SINGLE). From ACTIVE or ERROR (as the load balancer
 * failover: the health manager fails over what is broken), or only from ACTIVE with
 * `onlyFromActive` (the amphora API, as Octavia's test_and_set_provisioning_status).
 * Refused (409) while the load balancer is PENDING_*: another job is on it.
 */
export async function enqueueAmphoraFailover(
  db: Db,
  amphoraId: string,
  reason: string,
  opts: { onlyFromActive?: boolean } = {},
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const amp = await trx
      .selectFrom('amphora')
      .select(['id', 'load_balancer_id', 'status'])
      .where('id', '=', amphoraId)
      .executeTakeFirst();
    if (!amp || amp.status === 'DELETED')
      throw new VeloxError('NotFound', { resource: 'Amphora', id: amphoraId });
    const lbId = amp.load_balancer_id;
    if (!lbId) {
      throw new VeloxError('ValidationException', {
        detail: `Amphora ${amphoraId} is not part of a load balancer.`,
      });
    }
    const res = await trx
      .updateTable('load_balancer')
      .set({ provisioning_status: 'PENDING_UPDATE', updated_at: now() })
      .where('id', '=', lbId)
      .where('provisioning_status', 'in', opts.onlyFromActive ? ['ACTIVE'] : FAILOVERABLE)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      const lb = await trx
        .selectFrom('load_balancer')
        .select('provisioning_status')
        .where('id', '=', lbId)
        .executeTakeFirst();
      if (!lb) throw new VeloxError('NotFound', { resource: 'Load Balancer', id: lbId });
      throw opts.onlyFromActive
        ? new VeloxError('ImmutableObject', { resource: 'Load Balancer', id: lbId })
        : new VeloxError('LBPendingStateError', { state: lb.provisioning_status, id: lbId });
    }
    await enqueueJob(trx, 'failover_amphora', lbId, { amphoraId, reason });
  });
}

/** amphora_config: no status changes, as Octavia's update_amphora_agent_config. */
export async function enqueueAmphoraConfig(db: Db, lbId: string): Promise<void> {
  await db.transaction().execute((trx) => enqueueJob(trx, 'amphora_config', lbId));
}

/** Octavia's AmphoraStatisticsResponse. */
export interface AmphoraStatistics {
  id: string;
  loadbalancer_id: string | null;
  listener_id: string;
  active_connections: number;
  bytes_in: number;
  bytes_out: number;
  request_errors: number;
  total_connections: number;
}

/** The listener counters one amphora reported, one entry per listener (cumulative, as stored). */
export async function amphoraStatistics(ex: Executor, amphoraId: string): Promise<AmphoraStatistics[]> {
  const rows = await ex
    .selectFrom('listener_statistics as s')
    .innerJoin('amphora as a', 'a.id', 's.amphora_id')
    .select([
      's.amphora_id',
      'a.load_balancer_id',
      's.listener_id',
      's.active_connections',
      's.bytes_in',
      's.bytes_out',
      's.request_errors',
      's.total_connections',
    ])
    .where('s.amphora_id', '=', amphoraId)
    .orderBy('s.listener_id')
    .execute();
  return rows.map((r) => ({
    id: r.amphora_id,
    loadbalancer_id: r.load_balancer_id,
    listener_id: r.listener_id,
    active_connections: Number(r.active_connections),
    bytes_in: Number(r.bytes_in),
    bytes_out: Number(r.bytes_out),
    request_errors: Number(r.request_errors),
    total_connections: Number(r.total_connections),
  }));
}
