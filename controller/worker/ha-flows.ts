// The ACTIVE_STANDBY flows (Octavia's amphora flows with VRRP): two amphorae, MASTER and
// BACKUP, built like a SINGLE one each and then served their configs together; the
// failover of one amphora never leaves the VIP without a holder when the other is up
// (ha-steps.ts); the failover of the load balancer is the failover of each amphora,
// BACKUP first (traffic never notices), then the MASTER with a planned handover.
import * as amphorae from '../db/amphora-repo.js';
import * as step from './amphora-steps.js';
import type { LbFlowContext } from './flow-context.js';
import * as ha from './ha-steps.js';
import { runFlow, type Step } from './steps.js';

type LbStep = Step<LbFlowContext>;

export const haCreateFlow: LbStep[] = [
  step.loadGraph,
  step.removeOldAmphorae,
  ha.allocateVrrpGroup,
  ha.allocateSnatPorts,
  ha.buildMissingRoles,
  ha.applyHaConfig,
  step.markActive,
];

/** The failover of ctx.amphoraId (none, or gone: the missing roles are rebuilt). Leaves statuses alone. */
const amphoraFailoverSteps: LbStep[] = [
  step.loadGraph,
  ha.allocateVrrpGroup,
  ha.allocateSnatPorts,
  ha.removeUnfinishedAmphorae,
  ha.planFailover,
  ha.handOverMastership,
  ha.replaceTarget,
  ha.buildMissingRoles,
  ha.applyHaConfig,
];

export const haAmphoraFailoverFlow: LbStep[] = [...amphoraFailoverSteps, step.markActive];

/**
 * Each amphora in turn, BACKUP first (roles as the rows show them now), each in a
 * context of its own. Resumed after a crash, it fails over the amphorae it finds then.
 */
const failoverEach: LbStep = {
  name: 'failover-each-amphora',
  async run(ctx) {
    const rows = await amphorae.listAmphorae(ctx.deps.db, { loadBalancerId: ctx.lbId, status: 'ALLOCATED' });
    const order = [...rows].sort((a, b) => (a.role === 'BACKUP' ? 0 : 1) - (b.role === 'BACKUP' ? 0 : 1));
    const ids = order.length ? order.map((a) => a.id) : [undefined];
    for (const id of ids) {
      const sub: LbFlowContext = { deps: ctx.deps, lbId: ctx.lbId, ...(id ? { amphoraId: id } : {}) };
      await runFlow(`failover of amphora ${id ?? '(none left)'}`, amphoraFailoverSteps, sub, ctx.deps.log);
    }
  },
};

export const haLoadBalancerFailoverFlow: LbStep[] = [failoverEach, step.markActive];

/** A change: both amphorae get the new config (a missing one is rebuilt first). */
export const haSyncFlow: LbStep[] = haAmphoraFailoverFlow;

export const haAmphoraConfigFlow: LbStep[] = [step.loadGraph, ha.allocateVrrpGroup, ha.applyHaConfig];
