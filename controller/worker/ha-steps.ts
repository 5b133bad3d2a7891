// The steps of the ACTIVE_STANDBY flows (ha-flows.ts): the VRRP group and SNAT ports of
// the load balancer, building an amphora in a role (the SINGLE build steps, run in a
// context of its own), the config of both amphorae with their vrrp sections, and the
// failover of one amphora: planned (its agent answers and it is MASTER: it releases
// mastership and the peer is seen MASTER before anything is destroyed) or unplanned
// (dead, or BACKUP: the survivor is or becomes MASTER by itself). Every step can be run
// again after a crash: each looks at what exists before making anything.
import { setTimeout as sleep } from 'node:timers/promises';
import * as amphorae from '../db/amphora-repo.js';
import type { AmphoraRow } from '../db/amphora-repo.js';
import { ensureVrrpGroup } from '../db/vrrp-group-repo.js';
import { grpcAmphoraDriver } from '../drivers/amphora/grpc.js';
import type { AmphoraAgentApi } from '../drivers/amphora/types.js';
import type { Port } from '../drivers/network/types.js';
import * as step from './amphora-steps.js';
import { buildAmphoraConfig } from './config-builder.js';
import { addressesOf, need, snatOf, vipPrefix, type LbFlowContext } from './flow-context.js';
import { runFlow, type Step } from './steps.js';
import { resolveTlsSecrets } from './tls-material.js';
import { HA_ROLES, isHaRole, type HaRole, type VrrpPlan } from './vrrp-plan.js';

type LbStep = Step<LbFlowContext>;

const SNAT_PORT_PREFIX = 'octavia-lb-snat-';
/** How long a failover asks an agent whether it is alive and MASTER. */
const PROBE_DEADLINE_MS = 2000;

export const allocateVrrpGroup: LbStep = {
  name: 'allocate-vrrp-group',
  async run(ctx) {
    const lb = need(ctx.graph, 'graph').loadBalancer;
    ctx.vrrpGroup = await ensureVrrpGroup(ctx.deps.db, lb.id, lb.vip_network_id);
  },
};

/** The load balancer's SNAT ports: device is the load balancer, one per member subnet. */
async function snatPorts(ctx: LbFlowContext): Promise<Port[]> {
  const ports = await ctx.deps.network.listPorts({ deviceId: ctx.lbId });
  return ports.filter((p) => p.name.startsWith(SNAT_PORT_PREFIX));
}

/**
 * One floating SNAT address per member subnet (every subnet of a tenant network other
 * than the VIP's, as the amphorae's member ports): members answer it, so replies reach
 * whichever amphora is MASTER. They live as long as the load balancer (removed with it).
 */
export const allocateSnatPorts: LbStep = {
  name: 'allocate-snat-ports',
  async run(ctx) {
    const { network } = ctx.deps;
    const lb = need(ctx.graph, 'graph').loadBalancer;
    const have = new Set((await snatPorts(ctx)).map((p) => p.subnet_id));
    for (const s of network.listSubnets()) {
      if (have.has(s.id) || s.network_id === lb.vip_network_id) continue;
      if (network.findNetwork(s.network_id)?.management) continue;
      await network.allocatePort({
        subnetId: s.id,
        name: `${SNAT_PORT_PREFIX}${lb.id}`,
        deviceOwner: 'Octavia',
        deviceId: lb.id,
        projectId: lb.project_id,
      });
    }
  },
};

const buildOneFlow: LbStep[] = [
  step.allocateAmphora,
  step.allocatePorts,
  step.issueCert,
  step.createCompute,
  step.waitForAgent,
];

/** Builds one amphora in `role` up to its agent answering (its own steps revert a failure). */
async function buildInRole(ctx: LbFlowContext, role: HaRole): Promise<void> {
  const sub: LbFlowContext = {
    deps: ctx.deps,
    lbId: ctx.lbId,
    graph: need(ctx.graph, 'graph'),
    vrrpGroup: need(ctx.vrrpGroup, 'vrrpGroup'),
    role,
  };
  try {
    await runFlow(`build ${role} of ${ctx.lbId}`, buildOneFlow, sub, ctx.deps.log);
  } finally {
    sub.client?.close();
  }
  (ctx.built ??= []).push(need(sub.amphora, 'amphora').id);
}

function ofLb(ctx: LbFlowContext): Promise<AmphoraRow[]> {
  return amphorae.listAmphorae(ctx.deps.db, { loadBalancerId: ctx.lbId });
}

/** The roles no ALLOCATED amphora holds get an amphora each (MASTER first). */
export const buildMissingRoles: LbStep = {
  name: 'build-missing-roles',
  async run(ctx) {
    const live = (await ofLb(ctx)).filter((a) => a.status === 'ALLOCATED');
    const held = new Set(live.map((a) => a.role));
    // Never more than two, whatever roles heartbeats wrote meanwhile.
    const missing = HA_ROLES.filter((r) => !held.has(r)).slice(0, Math.max(0, HA_ROLES.length - live.length));
    for (const role of missing) await buildInRole(ctx, role);
  },
  async revert(ctx) {
    for (const id of ctx.built ?? []) await step.destroyAmphora(ctx, id);
    ctx.built = [];
  },
};

/** Half-built amphorae (a crash or a failed attempt) go before a failover plans. */
export const removeUnfinishedAmphorae: LbStep = {
  name: 'remove-unfinished-amphorae',
  async run(ctx) {
    for (const a of await ofLb(ctx)) {
      if (a.status !== 'ALLOCATED' || !isHaRole(a.role)) await step.destroyAmphora(ctx, a.id);
    }
  },
};

function connect(ctx: LbFlowContext, amp: AmphoraRow): AmphoraAgentApi {
  const target = `${need(amp.lb_network_ip ?? undefined, 'lb_network_ip')}:${ctx.deps.config.agent.port}`;
  return (ctx.deps.amphora ?? grpcAmphoraDriver).connect(target, ctx.deps.controllerTls, amp.id);
}

/** The VRRP plan of `amp` with `peer` as the other member of the group. */
function planOf(
  ctx: LbFlowContext,
  amp: AmphoraRow,
  peer: AmphoraRow | undefined,
  snatIps: Record<string, string>,
): VrrpPlan {
  const { network, config } = ctx.deps;
  const graph = need(ctx.graph, 'graph');
  const group = need(ctx.vrrpGroup, 'vrrpGroup');
  if (!isHaRole(amp.role)) throw new Error(`amphora ${amp.id} has role ${amp.role}, not MASTER or BACKUP`);
  return {
    role: amp.role,
    vrrpId: group.vrrp_id,
    authPass: group.auth_pass,
    vrrpIp: need(amp.vrrp_ip ?? undefined, 'vrrp_ip'),
    ...(peer
      ? {
          peer: {
            amphoraId: peer.id,
            vrrpIp: need(peer.vrrp_ip ?? undefined, 'peer vrrp_ip'),
            lbNetworkIp: need(peer.lb_network_ip ?? undefined, 'peer lb_network_ip'),
          },
        }
      : {}),
    vip: { address: graph.loadBalancer.vip_address, prefix: vipPrefix(network, graph) },
    snat: snatOf(network, amp, snatIps),
    timers: config.controllerWorker,
    agentPort: config.agent.port,
  };
}

/** Builds and applies the whole config of each amphora in `targets`, the group being `group`. */
async function applyTo(ctx: LbFlowContext, targets: AmphoraRow[], group: AmphoraRow[]): Promise<void> {
  const { db, network, config } = ctx.deps;
  const graph = need(ctx.graph, 'graph');
  const secrets = await resolveTlsSecrets(ctx.deps.secrets, graph);
  const snatIps = Object.fromEntries((await snatPorts(ctx)).map((p) => [p.subnet_id, p.ip_address]));
  for (const amp of targets) {
    const peer = group.find((a) => a.id !== amp.id);
    const plan = planOf(ctx, amp, peer, snatIps);
    const version = amp.desired_version + 1;
    await amphorae.updateAmphora(db, amp.id, { desired_version: version });
    const desired = buildAmphoraConfig(graph, addressesOf(network, graph, amp, plan), {
      version,
      heartbeat: {
        target: `${config.network.management.gatewayIp}:${config.health.port}`,
        interval_ms: config.health.heartbeatIntervalMs,
      },
      secrets,
    });
    const client = connect(ctx, amp);
    try {
      const res = await client.apply(desired);
      await amphorae.updateAmphora(db, amp.id, {
        applied_version: Number(res.applied_version),
        vrrp_priority: desired.vrrp?.priority ?? null,
      });
    } finally {
      client.close();
    }
  }
}

/** Both amphorae get their config (BACKUP first: a new BACKUP is ready when the MASTER learns of it). */
export const applyHaConfig: LbStep = {
  name: 'apply-ha-config',
  async run(ctx) {
    const live = (await ofLb(ctx)).filter((a) => a.status === 'ALLOCATED');
    if (live.length === 0) throw new Error(`load balancer ${ctx.lbId} has no amphora`);
    const order = [...live].sort((a, b) => (a.role === 'BACKUP' ? 0 : 1) - (b.role === 'BACKUP' ? 0 : 1));
    await applyTo(ctx, order, live);
  },
};

/** keepalived's state as the agent reports it; undefined when the agent does not answer. */
async function probe(ctx: LbFlowContext, amp: AmphoraRow, deadlineMs: number): Promise<string | undefined> {
  const client = connect(ctx, amp);
  try {
    return (await client.getStatus(deadlineMs)).vrrp_state;
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

/**
 * Which amphora goes (the job's, if it still exists), which survives, and whether the
 * handover is planned: the target answers and is MASTER (as its agent reports, or as
 * its row says when the agent reports no state) and a peer is there to take the VIP.
 */
export const planFailover: LbStep = {
  name: 'plan-failover',
  async run(ctx) {
    const live = (await ofLb(ctx)).filter((a) => a.status === 'ALLOCATED');
    const target = live.find((a) => a.id === ctx.amphoraId);
    const peer = live.find((a) => a.id !== ctx.amphoraId);
    let planned = false;
    if (target && peer) {
      const state = await probe(ctx, target, PROBE_DEADLINE_MS);
      const master = state === 'MASTER' || (state === '' && target.role === 'MASTER');
      planned = state !== undefined && master;
      ctx.deps.log.info(
        `failover of ${target.id}: ${state === undefined ? 'unreachable' : `reports "${state}"`}, ${planned ? 'planned handover' : 'no handover'}`,
      );
    }
    ctx.failover = {
      ...(target ? { targetId: target.id } : {}),
      ...(peer ? { peerId: peer.id } : {}),
      planned,
    };
  },
};

async function row(ctx: LbFlowContext, id: string): Promise<AmphoraRow> {
  const amp = await amphorae.getAmphora(ctx.deps.db, id);
  if (!amp) throw new Error(`amphora ${id} is gone`);
  return amp;
}

/**
 * Planned: the MASTER releases mastership (keepalived leaves with priority 0, the peer
 * takes the VIP after its skew time, flows already synced), then the peer must report
 * MASTER within the provision timeout before anything is destroyed. The revert pushes
 * the old MASTER its config again, which restarts its keepalived.
 */
export const handOverMastership: LbStep = {
  name: 'hand-over-mastership',
  async run(ctx) {
    const plan = need(ctx.failover, 'failover');
    if (!plan.planned) return;
    const target = await row(ctx, need(plan.targetId, 'targetId'));
    const peer = await row(ctx, need(plan.peerId, 'peerId'));
    const client = connect(ctx, target);
    try {
      await client.releaseMastership(ctx.deps.config.worker.provisionTimeoutMs);
    } finally {
      client.close();
    }
    const deadline = Date.now() + ctx.deps.config.worker.provisionTimeoutMs;
    let last: string | undefined;
    // Bounded by provisionTimeoutMs.
    while (Date.now() < deadline) {
      last = await probe(ctx, peer, Math.max(100, Math.min(PROBE_DEADLINE_MS, deadline - Date.now())));
      if (last === 'MASTER') return;
      await sleep(50);
    }
    throw new Error(
      `amphora ${peer.id} did not become MASTER after ${target.id} released mastership (last state ${JSON.stringify(last)})`,
    );
  },
  async revert(ctx) {
    const plan = ctx.failover;
    if (!plan?.planned || !plan.targetId) return;
    const target = await amphorae.getAmphora(ctx.deps.db, plan.targetId);
    if (!target) return;
    const group = (await ofLb(ctx)).filter((a) => a.status === 'ALLOCATED');
    await applyTo(ctx, [target], group);
  },
};

/**
 * The target goes (compute, ports, row); a lone survivor is MASTER from now on (it was,
 * or took the VIP by handover or, the target being dead, by itself), so the replacement
 * is built as BACKUP. Nothing to revert: a destroyed amphora is rebuilt by the next step.
 */
export const replaceTarget: LbStep = {
  name: 'destroy-target',
  async run(ctx) {
    const plan = need(ctx.failover, 'failover');
    if (plan.targetId) await step.destroyAmphora(ctx, plan.targetId);
    const live = (await ofLb(ctx)).filter((a) => a.status === 'ALLOCATED');
    if (live.length === 1 && live[0]!.role !== 'MASTER') {
      await amphorae.updateAmphora(ctx.deps.db, live[0]!.id, { role: 'MASTER' });
    }
  },
};
