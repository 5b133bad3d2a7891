// The flows a job can ask for, as lists of steps, and the dispatcher that runs
// one and settles the load balancer's provisioning status when it fails.
import { listAmphorae } from '../db/amphora-repo.js';
import { deleteLoadBalancerRows, markGraphError } from '../db/worker-repo.js';
import type { JobTable } from '../db/schema.js';
import * as step from './amphora-steps.js';
import { amphoraConfigFlow, failoverLbFlow } from './failover-flow.js';
import type { LbFlowContext, WorkerDeps } from './flow-context.js';
import {
  haAmphoraConfigFlow,
  haAmphoraFailoverFlow,
  haCreateFlow,
  haLoadBalancerFailoverFlow,
  haSyncFlow,
} from './ha-flows.js';
import { noopProviderFlows, servedByNoopProvider } from './noop-provider-flows.js';
import { runFlow, type Step } from './steps.js';

type LbStep = Step<LbFlowContext>;

const deleteRows: LbStep = {
  name: 'delete-rows',
  run: (ctx) => deleteLoadBalancerRows(ctx.deps.db, ctx.lbId),
};

export const createLbFlow: LbStep[] = [
  step.loadGraph,
  step.removeOldAmphorae,
  step.allocateAmphora,
  step.allocatePorts,
  step.issueCert,
  step.createCompute,
  step.waitForAgent,
  step.applyConfig,
  step.markActive,
];

export const syncLbFlow: LbStep[] = [step.loadGraph, step.findAmphora, step.applyConfig, step.markActive];

export const deleteLbFlow: LbStep[] = [step.deleteAmphorae, deleteRows];

/** SINGLE: one amphora; failing it over is rebuilding it, as failing over the load balancer. */
const FLOWS: Record<JobTable['kind'], LbStep[]> = {
  create_lb: createLbFlow,
  sync_lb: syncLbFlow,
  delete_lb: deleteLbFlow,
  failover_lb: failoverLbFlow,
  failover_amphora: failoverLbFlow,
  amphora_config: amphoraConfigFlow,
};

const HA_FLOWS: Record<JobTable['kind'], LbStep[]> = {
  create_lb: haCreateFlow,
  sync_lb: haSyncFlow,
  delete_lb: deleteLbFlow,
  failover_lb: haLoadBalancerFailoverFlow,
  failover_amphora: haAmphoraFailoverFlow,
  amphora_config: haAmphoraConfigFlow,
};

async function topologyOf(deps: WorkerDeps, lbId: string): Promise<string | undefined> {
  const lb = await deps.db
    .selectFrom('load_balancer')
    .select('topology')
    .where('id', '=', lbId)
    .executeTakeFirst();
  return lb?.topology;
}

/**
 * Runs the job's flow (`amphoraId`: the amphora a failover_amphora job names); on
 * failure the load balancer goes to ERROR (as Octavia's) and the error is rethrown.
 */
export async function runJobFlow(
  deps: WorkerDeps,
  kind: JobTable['kind'],
  lbId: string,
  amphoraId?: string | null,
): Promise<void> {
  const ctx: LbFlowContext = { deps, lbId, ...(amphoraId ? { amphoraId } : {}) };
  let flow = FLOWS[kind];
  if (await servedByNoopProvider(deps.db, lbId)) {
    flow = noopProviderFlows[kind];
  } else if ((await topologyOf(deps, lbId)) === 'ACTIVE_STANDBY') {
    // A missing amphora is rebuilt by the sync and failover flows themselves.
    flow = HA_FLOWS[kind];
  } else if (
    // A change queued while the amphora was lost (restart, failed create) rebuilds it.
    kind === 'sync_lb' &&
    (await listAmphorae(deps.db, { loadBalancerId: lbId, status: 'ALLOCATED' })).length === 0
  ) {
    flow = createLbFlow;
  }
  try {
    await runFlow(`${kind} ${lbId}`, flow, ctx, deps.log);
  } catch (err) {
    await markGraphError(deps.db, lbId).catch((e: unknown) => deps.log.error(`markGraphError: ${String(e)}`));
    throw err;
  } finally {
    ctx.client?.close();
  }
}
