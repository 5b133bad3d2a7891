// After a restart the compute driver has removed every amphora left by the previous
// run (make run deletes them on exit, a crash leaves them half-made). Their rows and
// ports go too, and every ACTIVE load balancer that had one is rebuilt by a create_lb
// job, under PENDING_UPDATE so the API refuses changes meanwhile.
import { deleteAmphora, listAmphorae } from '../db/amphora-repo.js';
import { now } from '../db/database.js';
import { enqueueJob } from '../db/status-gate.js';
import type { WorkerDeps } from './flow-context.js';

export async function rebuildLostAmphorae(
  deps: Pick<WorkerDeps, 'db' | 'network' | 'log'>,
): Promise<string[]> {
  const { db, network, log } = deps;
  const lbIds = new Set<string>();
  for (const amp of await listAmphorae(db)) {
    await network.releasePorts(amp.id);
    await deleteAmphora(db, amp.id);
    if (amp.load_balancer_id) lbIds.add(amp.load_balancer_id);
  }
  const rebuilt: string[] = [];
  for (const lbId of lbIds) {
    const queued = await db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('load_balancer')
        .set({ provisioning_status: 'PENDING_UPDATE', updated_at: now() })
        .where('id', '=', lbId)
        .where('provisioning_status', '=', 'ACTIVE')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await enqueueJob(trx, 'create_lb', lbId);
      return true;
    });
    if (queued) rebuilt.push(lbId);
  }
  if (rebuilt.length) log.info(`rebuilding the amphorae of ${rebuilt.length} load balancer(s)`);
  return rebuilt;
}
