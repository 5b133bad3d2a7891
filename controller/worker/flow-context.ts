// What every flow step works with: the worker's dependencies and the state the steps
// of one job build up. Also where an amphora's addresses are read back from its row.
import { isIPv6 } from 'node:net';
import type { ControllerConfig } from '../config.js';
import type { AmphoraRow } from '../db/amphora-repo.js';
import type { Db } from '../db/database.js';
import type { LoadBalancerGraph } from '../db/worker-repo.js';
import type { CertificateAuthority, IssuedCert } from '../drivers/certs/ca.js';
import type { AmphoraNic, ComputeDriver } from '../drivers/compute/types.js';
import { managementSubnetOf } from '../drivers/network/management.js';
import type { NetworkDriver, Subnet } from '../drivers/network/types.js';
import type { AmphoraAgentApi, AmphoraDriver } from '../drivers/amphora/types.js';
import type { SecretsDriver } from '../drivers/secrets/types.js';
import type { TlsMaterial } from './agent-client.js';
import type { AmphoraAddresses } from './config-builder.js';
import type { FlowLog } from './steps.js';
import type { VrrpGroupRow } from '../db/vrrp-group-repo.js';
import type { HaRole, VrrpPlan } from './vrrp-plan.js';

export interface WorkerDeps {
  config: ControllerConfig;
  db: Db;
  network: NetworkDriver;
  compute: ComputeDriver;
  ca: CertificateAuthority;
  /** The controller's client certificate and the CA, for calls to agents. */
  controllerTls: TlsMaterial;
  /** How agents are reached; gRPC (grpcAmphoraDriver) when absent. */
  amphora?: AmphoraDriver;
  /** Where the TLS material of listeners and pools comes from (resolved at each apply). */
  secrets: SecretsDriver;
  log: FlowLog;
}

export interface LbFlowContext {
  deps: WorkerDeps;
  lbId: string;
  graph?: LoadBalancerGraph;
  amphora?: AmphoraRow;
  cert?: IssuedCert;
  client?: AmphoraAgentApi;
  /** ACTIVE_STANDBY: the role the amphora being built gets (absent: STANDALONE). */
  role?: HaRole;
  vrrpGroup?: VrrpGroupRow;
  /** failover_amphora: the amphora the job names. */
  amphoraId?: string;
  /** Amphorae a flow built (the ACTIVE_STANDBY builds), so a revert removes them. */
  built?: string[];
  /** What the failover planning found (ha-steps.ts). */
  failover?: { targetId?: string; peerId?: string; planned: boolean };
}

export function isActiveStandby(graph: LoadBalancerGraph): boolean {
  return graph.loadBalancer.topology === 'ACTIVE_STANDBY';
}

export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`flow bug: ${what} is not set yet`);
  return value;
}

function prefixOf(subnet: Subnet): number {
  return Number(subnet.cidr.split('/')[1]);
}

function subnet(network: NetworkDriver, id: string): Subnet {
  const s = network.findSubnet(id);
  if (!s) throw new Error(`subnet ${id} is not known to the network driver`);
  return s;
}

function bridgeOf(network: NetworkDriver, s: Subnet): string {
  const n = network.findNetwork(s.network_id);
  if (!n) throw new Error(`network ${s.network_id} is not known to the network driver`);
  return n.bridge;
}

/**
 * The member-side NICs of an amphora: one per network it has member ports on, in the
 * network driver's order, named mem0, mem1, … so a rebuilt amphora gets the same names.
 * A NIC carries the amphora's address on each subnet of its network (IPv4, IPv6).
 */
function memberNicPorts(
  network: NetworkDriver,
  amp: AmphoraRow,
): { name: string; bridge: string; ports: { subnet: Subnet; address: string }[] }[] {
  const ips = JSON.parse(amp.member_ips) as Record<string, string>;
  return network
    .listNetworks()
    .map((n) => ({
      bridge: n.bridge,
      ports: n.subnets
        .filter((id) => ips[id] !== undefined)
        .map((id) => ({ subnet: subnet(network, id), address: ips[id]! })),
    }))
    .filter((n) => n.ports.length > 0)
    .map((n, i) => ({ name: `mem${i}`, ...n }));
}

/** The VIP as a host route: /32 or /128. */
function vipCidr(address: string): string {
  return `${address}/${isIPv6(address) ? 128 : 32}`;
}

/** The load balancer's SNAT address on each subnet of the amphora's member NICs (ACTIVE_STANDBY). */
export function snatOf(
  network: NetworkDriver,
  amp: AmphoraRow,
  snatIps: Record<string, string>,
): VrrpPlan['snat'] {
  return memberNicPorts(network, amp).flatMap((nic) =>
    nic.ports.flatMap((p) => {
      const address = snatIps[p.subnet.id];
      return address === undefined ? [] : [{ nic: nic.name, address, prefix: prefixOf(p.subnet) }];
    }),
  );
}

export function vipPrefix(network: NetworkDriver, graph: LoadBalancerGraph): number {
  return prefixOf(subnet(network, graph.loadBalancer.vip_subnet_id));
}

export function addressesOf(
  network: NetworkDriver,
  graph: LoadBalancerGraph,
  amp: AmphoraRow,
  vrrp?: VrrpPlan,
): AmphoraAddresses {
  const lb = graph.loadBalancer;
  return {
    ...(vrrp ? { vrrp } : {}),
    amphoraId: amp.id,
    vip: {
      address: lb.vip_address,
      vrrpAddress: need(amp.vrrp_ip ?? undefined, 'vrrp_ip'),
      prefix: prefixOf(subnet(network, lb.vip_subnet_id)),
    },
    memberNics: memberNicPorts(network, amp).map(({ name, ports: [first, ...more] }) => ({
      name,
      address: first!.address,
      prefix: prefixOf(first!.subnet),
      moreAddresses: more.map((p) => ({ address: p.address, prefix: prefixOf(p.subnet) })),
    })),
  };
}

export function nicsOf(network: NetworkDriver, graph: LoadBalancerGraph, amp: AmphoraRow) {
  const lb = graph.loadBalancer;
  const mgmtIp = need(amp.lb_network_ip ?? undefined, 'lb_network_ip');
  // The management network its port was allocated on (its zone's, or the default).
  const mgmt = managementSubnetOf(network, mgmtIp);
  const vipSubnet = subnet(network, lb.vip_subnet_id);
  const nics: AmphoraNic[] = [
    { name: 'mgmt0', bridge: bridgeOf(network, mgmt), addresses: [`${mgmtIp}/${prefixOf(mgmt)}`] },
    {
      name: 'vip0',
      bridge: bridgeOf(network, vipSubnet),
      // ACTIVE_STANDBY: the VIP is keepalived's to add, on the MASTER only.
      addresses: [
        `${need(amp.vrrp_ip ?? undefined, 'vrrp_ip')}/${prefixOf(vipSubnet)}`,
        ...(isActiveStandby(graph) ? [] : [vipCidr(lb.vip_address)]),
      ],
    },
    ...memberNicPorts(network, amp).map((n) => ({
      name: n.name,
      bridge: n.bridge,
      addresses: n.ports.map((p) => `${p.address}/${prefixOf(p.subnet)}`),
    })),
  ];
  // The VIP's family: replies to clients leave through the VIP subnet's gateway.
  return { nics, defaultGateway: vipSubnet.gateway_ip };
}
