// What every flow step works with: the worker's dependencies and the state the steps
// of one job build up. Also where an amphora's addresses are read back from its row.
import type { ControllerConfig } from '../config.js';
import type { AmphoraRow } from '../db/amphora-repo.js';
import type { Db } from '../db/database.js';
import type { LoadBalancerGraph } from '../db/worker-repo.js';
import type { CertificateAuthority, IssuedCert } from '../drivers/certs/ca.js';
import type { AmphoraNic, ComputeDriver } from '../drivers/compute/types.js';
import type { NetworkDriver, Subnet } from '../drivers/network/types.js';
import type { AgentClient, TlsMaterial } from './agent-client.js';
import type { AmphoraAddresses } from './config-builder.js';
import type { FlowLog } from './steps.js';

export interface WorkerDeps {
  config: ControllerConfig;
  db: Db;
  network: NetworkDriver;
  compute: ComputeDriver;
  ca: CertificateAuthority;
  /** The controller's client certificate and the CA, for calls to agents. */
  controllerTls: TlsMaterial;
  log: FlowLog;
}

export interface LbFlowContext {
  deps: WorkerDeps;
  lbId: string;
  graph?: LoadBalancerGraph;
  amphora?: AmphoraRow;
  cert?: IssuedCert;
  client?: AgentClient;
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
 * The member-side ports of an amphora, in the network driver's subnet order, named
 * mem0, mem1, … so a rebuilt amphora gets the same names.
 */
function memberPorts(
  network: NetworkDriver,
  amp: AmphoraRow,
): { name: string; subnet: Subnet; address: string }[] {
  const ips = JSON.parse(amp.member_ips) as Record<string, string>;
  return network
    .listSubnets()
    .filter((s) => ips[s.id] !== undefined)
    .map((s, i) => ({ name: `mem${i}`, subnet: s, address: ips[s.id]! }));
}

export function addressesOf(
  network: NetworkDriver,
  graph: LoadBalancerGraph,
  amp: AmphoraRow,
): AmphoraAddresses {
  const lb = graph.loadBalancer;
  return {
    amphoraId: amp.id,
    vip: {
      address: lb.vip_address,
      vrrpAddress: need(amp.vrrp_ip ?? undefined, 'vrrp_ip'),
      prefix: prefixOf(subnet(network, lb.vip_subnet_id)),
    },
    memberNics: memberPorts(network, amp).map((p) => ({
      name: p.name,
      address: p.address,
      prefix: prefixOf(p.subnet),
    })),
  };
}

export function nicsOf(network: NetworkDriver, graph: LoadBalancerGraph, amp: AmphoraRow) {
  const lb = graph.loadBalancer;
  const mgmt = network.listSubnets().find((s) => network.findNetwork(s.network_id)?.management);
  if (!mgmt) throw new Error('no management network configured');
  const vipSubnet = subnet(network, lb.vip_subnet_id);
  const nics: AmphoraNic[] = [
    {
      name: 'mgmt0',
      bridge: bridgeOf(network, mgmt),
      addresses: [`${need(amp.lb_network_ip ?? undefined, 'lb_network_ip')}/${prefixOf(mgmt)}`],
    },
    {
      name: 'vip0',
      bridge: bridgeOf(network, vipSubnet),
      addresses: [
        `${need(amp.vrrp_ip ?? undefined, 'vrrp_ip')}/${prefixOf(vipSubnet)}`,
        `${lb.vip_address}/32`,
      ],
    },
    ...memberPorts(network, amp).map((p) => ({
      name: p.name,
      bridge: bridgeOf(network, p.subnet),
      addresses: [`${p.address}/${prefixOf(p.subnet)}`],
    })),
  ];
  return { nics, defaultGateway: vipSubnet.gateway_ip };
}
