// The steps the load balancer flows are made of. Each does one thing to one system
// (database, IPAM, CA, compute, agent) and knows how to undo it.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as amphorae from '../db/amphora-repo.js';
import { availabilityZoneData } from '../db/availability-zone-repo.js';
import { loadLoadBalancerGraph, markGraphActive } from '../db/worker-repo.js';
import { grpcAmphoraDriver } from '../drivers/amphora/grpc.js';
import type { AmphoraAgentApi } from '../drivers/amphora/types.js';
import { managementNetwork, managementSubnet } from '../drivers/network/management.js';
import { buildAmphoraConfig } from './config-builder.js';
import { addressesOf, need, nicsOf, type LbFlowContext } from './flow-context.js';
import type { Step } from './steps.js';
import { resolveTlsSecrets } from './tls-material.js';
import { priorityOf, VRRP_INTERFACE } from './vrrp-plan.js';

type LbStep = Step<LbFlowContext>;

export const loadGraph: LbStep = {
  name: 'load-graph',
  async run(ctx) {
    const graph = await loadLoadBalancerGraph(ctx.deps.db, ctx.lbId);
    if (!graph) throw new Error(`load balancer ${ctx.lbId} is gone`);
    ctx.graph = graph;
  },
};

/** Compute, ports and row of one amphora; each part may already be gone. */
export async function destroyAmphora(ctx: LbFlowContext, id: string): Promise<void> {
  await ctx.deps.compute.deleteAmphora(id);
  await ctx.deps.network.releasePorts(id);
  await amphorae.deleteAmphora(ctx.deps.db, id);
}

/** A retried create (crash, lost lease) first removes what the previous attempt made. */
export const removeOldAmphorae: LbStep = {
  name: 'remove-old-amphorae',
  async run(ctx) {
    for (const amp of await amphorae.listAmphorae(ctx.deps.db, { loadBalancerId: ctx.lbId })) {
      await destroyAmphora(ctx, amp.id);
    }
  },
};

export const allocateAmphora: LbStep = {
  name: 'allocate-amphora',
  async run(ctx) {
    const { role, vrrpGroup } = ctx;
    ctx.amphora = await amphorae.createAmphora(ctx.deps.db, {
      id: randomUUID(),
      load_balancer_id: ctx.lbId,
      status: 'BOOTING',
      role: role ?? 'STANDALONE',
      // ACTIVE_STANDBY: Octavia's VRRP attributes (ha-steps.ts made the group).
      ...(role
        ? {
            vrrp_interface: VRRP_INTERFACE,
            vrrp_id: need(vrrpGroup, 'vrrpGroup').vrrp_id,
            vrrp_priority: priorityOf(role),
          }
        : {}),
    });
  },
  async revert(ctx) {
    if (ctx.amphora) await amphorae.deleteAmphora(ctx.deps.db, ctx.amphora.id);
  },
};

/**
 * Ports: management, the amphora's own address on the VIP subnet, and one address on
 * every subnet (IPv4 and IPv6) of every other tenant network, so members of either
 * family can be added on any network later without replugging. Members on the VIP's
 * network itself are not reachable (no MEMBER NIC there): two NICs on one network
 * would make the next hop ambiguous.
 */
export const allocatePorts: LbStep = {
  name: 'allocate-ports',
  async run(ctx) {
    const { network, db } = ctx.deps;
    const amp = need(ctx.amphora, 'amphora');
    const lb = need(ctx.graph, 'graph').loadBalancer;
    const port = (subnetId: string, name: string) =>
      network.allocatePort({
        subnetId,
        name,
        deviceOwner: 'compute:amphora',
        deviceId: amp.id,
        projectId: lb.project_id,
      });
    const subnets = network.listSubnets();
    // The zone's management_network, if it names one (availability zone profiles).
    const zone = lb.availability_zone ? await availabilityZoneData(db, lb.availability_zone) : {};
    const named = zone['management_network'];
    const mgmt = managementSubnet(network, managementNetwork(network, named as string | undefined));
    const mgmtPort = await port(mgmt.id, `octavia-lb-mgmt-${amp.id}`);
    const vrrp = await port(lb.vip_subnet_id, `octavia-lb-vrrp-${amp.id}`);
    const memberIps: Record<string, string> = {};
    for (const s of subnets) {
      if (s.network_id === mgmt.network_id || s.network_id === lb.vip_network_id) continue;
      memberIps[s.id] = (await port(s.id, `octavia-lb-member-${amp.id}`)).ip_address;
    }
    const patch = {
      lb_network_ip: mgmtPort.ip_address,
      vrrp_ip: vrrp.ip_address,
      vrrp_port_id: vrrp.id,
      ha_ip: lb.vip_address,
      ha_port_id: lb.vip_port_id,
      member_ips: JSON.stringify(memberIps),
    };
    await amphorae.updateAmphora(db, amp.id, patch);
    ctx.amphora = { ...amp, ...patch };
  },
  async revert(ctx) {
    if (ctx.amphora) await ctx.deps.network.releasePorts(ctx.amphora.id);
  },
};

export const issueCert: LbStep = {
  name: 'issue-certificate',
  async run(ctx) {
    const amp = need(ctx.amphora, 'amphora');
    ctx.cert = await ctx.deps.ca.issueAmphoraCert(
      amp.id,
      need(amp.lb_network_ip ?? undefined, 'lb_network_ip'),
    );
    await amphorae.updateAmphora(ctx.deps.db, amp.id, { cert_expiration: ctx.cert.notAfter.toISOString() });
  },
};

export const createCompute: LbStep = {
  name: 'create-amphora',
  async run(ctx) {
    const { config, compute, ca } = ctx.deps;
    const amp = need(ctx.amphora, 'amphora');
    const cert = need(ctx.cert, 'cert');
    const mgmtIp = need(amp.lb_network_ip ?? undefined, 'lb_network_ip');
    const { nics, defaultGateway } = nicsOf(ctx.deps.network, need(ctx.graph, 'graph'), amp);
    const handle = await compute.createAmphora({
      amphoraId: amp.id,
      nics,
      defaultGateway,
      bootstrap: {
        amphora_id: amp.id,
        grpc_listen: `${mgmtIp}:${config.agent.port}`,
        metrics_listen: `${mgmtIp}:9100`,
        heartbeat: {
          target: `${config.network.management.gatewayIp}:${config.health.port}`,
          interval_ms: config.health.heartbeatIntervalMs,
        },
        bpf_object: '', // the agent's own bpf/xdp_lb.bpf.o
      },
      tls: { caPem: ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem },
    });
    await amphorae.updateAmphora(ctx.deps.db, amp.id, { compute_id: handle.computeId });
  },
  async revert(ctx) {
    if (ctx.amphora) await ctx.deps.compute.deleteAmphora(ctx.amphora.id);
  },
};

/** The amphora's agent client (reused by later steps), bound to the row's management address. */
function clientFor(ctx: LbFlowContext): AmphoraAgentApi {
  const amp = need(ctx.amphora, 'amphora');
  const target = `${need(amp.lb_network_ip ?? undefined, 'lb_network_ip')}:${ctx.deps.config.agent.port}`;
  const driver = ctx.deps.amphora ?? grpcAmphoraDriver;
  return (ctx.client ??= driver.connect(target, ctx.deps.controllerTls, amp.id));
}

export const waitForAgent: LbStep = {
  name: 'wait-for-agent',
  async run(ctx) {
    const client = clientFor(ctx);
    const deadline = Date.now() + ctx.deps.config.worker.provisionTimeoutMs;
    let last: unknown;
    // Bounded by provisionTimeoutMs: the agent needs a moment to start and listen.
    while (Date.now() < deadline) {
      try {
        await client.getStatus(Math.max(100, Math.min(2000, deadline - Date.now())));
        await amphorae.updateAmphora(ctx.deps.db, need(ctx.amphora, 'amphora').id, { status: 'ALLOCATED' });
        return;
      } catch (err) {
        last = err;
        await sleep(200);
      }
    }
    throw new Error(`agent at ${client.target} did not answer within the provision timeout: ${String(last)}`);
  },
  async revert(ctx) {
    ctx.client?.close();
    ctx.client = undefined;
  },
};

/** The live amphora of the load balancer (sync flows). */
export const findAmphora: LbStep = {
  name: 'find-amphora',
  async run(ctx) {
    const amps = await amphorae.listAmphorae(ctx.deps.db, { loadBalancerId: ctx.lbId, status: 'ALLOCATED' });
    if (amps.length === 0) throw new Error(`load balancer ${ctx.lbId} has no amphora`);
    ctx.amphora = amps[0];
  },
};

export const applyConfig: LbStep = {
  name: 'apply-config',
  async run(ctx) {
    const { db, network, config } = ctx.deps;
    const amp = need(ctx.amphora, 'amphora');
    const graph = need(ctx.graph, 'graph');
    // First, so a ref that no longer resolves (TlsSecretUnavailableError) fails the
    // step before a new version is recorded. The keys in it go into Apply only.
    const secrets = await resolveTlsSecrets(ctx.deps.secrets, graph);
    // Recorded before the call, so heartbeats report the agent behind until it catches up.
    const version = amp.desired_version + 1;
    await amphorae.updateAmphora(db, amp.id, { desired_version: version });
    ctx.amphora = { ...amp, desired_version: version };
    const desired = buildAmphoraConfig(graph, addressesOf(network, graph, amp), {
      version,
      heartbeat: {
        target: `${config.network.management.gatewayIp}:${config.health.port}`,
        interval_ms: config.health.heartbeatIntervalMs,
      },
      secrets,
    });
    const res = await clientFor(ctx).apply(desired);
    await amphorae.updateAmphora(db, amp.id, { applied_version: Number(res.applied_version) });
  },
};

export const markActive: LbStep = {
  name: 'mark-active',
  async run(ctx) {
    await markGraphActive(ctx.deps.db, ctx.lbId);
  },
};

export const deleteAmphorae: LbStep = {
  name: 'delete-amphorae',
  async run(ctx) {
    for (const amp of await amphorae.listAmphorae(ctx.deps.db, { loadBalancerId: ctx.lbId })) {
      await destroyAmphora(ctx, amp.id);
    }
  },
};
