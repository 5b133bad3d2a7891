// Failover and amphora config, as Octavia's failover_amphora / failover_loadbalancer
// and update_amphora_agent_config. With one amphora per load balancer (SINGLE
// topology), failing over the load balancer or its amphora is the same thing: the
// amphora is destroyed (namespace, ports, row) and a new one is built, then served the
// whole config; the load balancer settles ACTIVE, or ERROR if the rebuild fails.
// The config job re-pushes the desired config (heartbeat target and interval included)
// to the live amphora without touching provisioning statuses.
import * as step from './amphora-steps.js';
import type { LbFlowContext } from './flow-context.js';
import type { Step } from './steps.js';

type LbStep = Step<LbFlowContext>;

export const failoverLbFlow: LbStep[] = [
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

export const amphoraConfigFlow: LbStep[] = [step.loadGraph, step.findAmphora, step.applyConfig];
