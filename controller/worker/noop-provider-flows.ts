// The flows of a load balancer whose provider is `noop_driver` (when
// providers.enableNoop lists it). Octavia's no-op provider accepts every call and
// never reaches an amphora, so its objects stay PENDING_* forever; here they settle as
// if a provider had done the work: no amphora, port or config is made, every change
// goes ACTIVE (or is removed), failover has nothing to rebuild. Operating statuses stay
// as the API set them (nothing measures them), as with Octavia's no-op.
import { deleteLoadBalancerRows } from '../db/worker-repo.js';
import type { Db } from '../db/database.js';
import type { JobTable } from '../db/schema.js';
import { NOOP_PROVIDER } from '../api/provider-catalog.js';
import * as step from './amphora-steps.js';
import type { LbFlowContext } from './flow-context.js';
import type { Step } from './steps.js';

type LbStep = Step<LbFlowContext>;

const settle: LbStep[] = [step.loadGraph, step.markActive];

export const noopProviderFlows: Record<JobTable['kind'], LbStep[]> = {
  create_lb: settle,
  sync_lb: settle,
  failover_lb: settle,
  failover_amphora: settle,
  amphora_config: [],
  delete_lb: [{ name: 'delete-rows', run: (ctx) => deleteLoadBalancerRows(ctx.deps.db, ctx.lbId) }],
};

export async function servedByNoopProvider(db: Db, lbId: string): Promise<boolean> {
  const lb = await db
    .selectFrom('load_balancer')
    .select('provider')
    .where('id', '=', lbId)
    .executeTakeFirst();
  return lb?.provider === NOOP_PROVIDER;
}
