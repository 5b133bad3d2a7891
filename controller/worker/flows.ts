// The flows a job can ask for, as lists of steps, and the dispatcher that runs
// one and settles the load balancer's provisioning status when it fails.
import { listAmphorae } from '../db/amphora-repo.js';
import { deleteLoadBalancerRows, markGraphError } from '../db/worker-repo.js';
import type { JobTable } from '../db/schema.js';
import * as step from './amphora-steps.js';
import { amphoraConfigFlow, failoverLbFlow } from './failover-flow.js';
import type { LbFlowContext, WorkerDeps } from './flow-context.js';
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

const FLOWS: Record<JobTable['kind'], LbStep[]> = {
  create_lb: createLbFlow,
  sync_lb: syncLbFlow,
  delete_lb: deleteLbFlow,
  failover_lb: failoverLbFlow,
  amphora_config: amphoraConfigFlow,
};

/** Runs the job's flow; on failure the load balancer goes to ERROR (as Octavia's) and the error is rethrown. */
export async function runJobFlow(deps: WorkerDeps, kind: JobTable['kind'], lbId: string): Promise<void> {
  const ctx: LbFlowContext = { deps, lbId };
  let flow = FLOWS[kind];
  if (await servedByNoopProvider(deps.db, lbId)) {
    flow = noopProviderFlows[kind];
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
