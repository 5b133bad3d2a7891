// The status gate (Octavia's test_and_set_provisioning_status): in ONE transaction,
// check that the load balancer may change, mark it PENDING_*, record the intent,
// and enqueue the worker's job. A refusal leaves nothing behind.
import type { Transaction } from 'kysely';
import { VeloxError } from '../errors.js';
import { now, type Db } from './database.js';
import type { Database, JobTable, ProvisioningStatus } from './schema.js';

export interface GateRequest {
  loadBalancerId: string;
  /** PENDING_UPDATE for any change under the load balancer, PENDING_DELETE to delete it. */
  lbStatus: 'PENDING_UPDATE' | 'PENDING_DELETE';
  /**
   * Which refusal the client sees: 'loadbalancer' (changes of the load balancer
   * itself: "Invalid state X of loadbalancer resource ID") or 'child' ("Load
   * Balancer ID is immutable and cannot be updated."), as Octavia words them.
   */
  refusal: 'loadbalancer' | 'child';
  /** Listeners affected by the change: they become PENDING_UPDATE. */
  listenerIds?: string[];
  /** A parent pool that must itself be ACTIVE (member changes); it becomes PENDING_UPDATE. */
  poolId?: string;
  job: JobTable['kind'];
}

const MUTABLE: ProvisioningStatus[] = ['ACTIVE'];
const DELETABLE: ProvisioningStatus[] = ['ACTIVE', 'ERROR'];

export async function enqueueJob(
  trx: Transaction<Database>,
  kind: JobTable['kind'],
  loadBalancerId: string,
  /** failover_amphora: the amphora, and why (operator, health manager). */
  about?: { amphoraId: string; reason: string },
): Promise<void> {
  await trx
    .insertInto('job')
    .values({
      kind,
      load_balancer_id: loadBalancerId,
      state: 'pending',
      attempts: 0,
      created_at: now(),
      ...(about ? { amphora_id: about.amphoraId, reason: about.reason.slice(0, 255) } : {}),
    })
    .execute();
}

export async function changeUnderGate<T>(
  db: Db,
  req: GateRequest,
  write: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const ts = now();
    if (req.poolId !== undefined) {
      const pool = await trx
        .selectFrom('pool')
        .select('provisioning_status')
        .where('id', '=', req.poolId)
        .executeTakeFirst();
      if (!pool) throw new VeloxError('NotFound', { resource: 'Pool', id: req.poolId });
      if (!MUTABLE.includes(pool.provisioning_status)) {
        throw new VeloxError('ImmutableObject', { resource: 'Pool', id: req.poolId });
      }
    }
    // The conditional UPDATE is the test-and-set: it takes the write lock first, so
    // two controllers cannot both pass the test.
    const allowed = req.lbStatus === 'PENDING_DELETE' ? DELETABLE : MUTABLE;
    const res = await trx
      .updateTable('load_balancer')
      .set({ provisioning_status: req.lbStatus, updated_at: ts })
      .where('id', '=', req.loadBalancerId)
      .where('provisioning_status', 'in', allowed)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      const lb = await trx
        .selectFrom('load_balancer')
        .select('provisioning_status')
        .where('id', '=', req.loadBalancerId)
        .executeTakeFirst();
      if (!lb) throw new VeloxError('NotFound', { resource: 'Load Balancer', id: req.loadBalancerId });
      throw req.refusal === 'loadbalancer'
        ? new VeloxError('LBPendingStateError', { state: lb.provisioning_status, id: req.loadBalancerId })
        : new VeloxError('ImmutableObject', { resource: 'Load Balancer', id: req.loadBalancerId });
    }
    if (req.listenerIds?.length) {
      await trx
        .updateTable('listener')
        .set({ provisioning_status: 'PENDING_UPDATE', updated_at: ts })
        .where('id', 'in', req.listenerIds)
        .execute();
    }
    if (req.poolId !== undefined) {
      await trx
        .updateTable('pool')
        .set({ provisioning_status: 'PENDING_UPDATE', updated_at: ts })
        .where('id', '=', req.poolId)
        .execute();
    }
    const result = await write(trx);
    await enqueueJob(trx, req.job, req.loadBalancerId);
    return result;
  });
}
