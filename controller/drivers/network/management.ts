// Which management network an amphora's management NIC goes on: the one its load
// balancer's availability zone names (management_network), else the deployment's.
// The agents and the health service talk IPv4 there, so the NIC takes its IPv4 subnet.
import { cidrContains, parseSubnetCidr } from './cidr.js';
import type { Network, NetworkDriver, Subnet } from './types.js';

const managementNetworks = (network: NetworkDriver) => network.listNetworks().filter((n) => n.management);

export function managementNetwork(network: NetworkDriver, named?: string): Network {
  if (named !== undefined) {
    const n = managementNetworks(network).find((x) => x.id === named || x.name === named);
    // The zone profile was checked at create: a network gone since is a configuration change.
    if (!n) throw new Error(`availability zone management network ${named} is not configured`);
    return n;
  }
  const n = managementNetworks(network)[0];
  if (!n) throw new Error('no management network configured');
  return n;
}

/** The IPv4 subnet of a management network. */
export function managementSubnet(network: NetworkDriver, n: Network): Subnet {
  const s = network.listSubnets().find((x) => x.network_id === n.id && x.ip_version === 4);
  if (!s) throw new Error(`management network ${n.name} has no IPv4 subnet`);
  return s;
}

/** The management subnet holding an amphora's management address. */
export function managementSubnetOf(network: NetworkDriver, ip: string): Subnet {
  const ids = new Set(managementNetworks(network).map((n) => n.id));
  const s = network
    .listSubnets()
    .find((x) => ids.has(x.network_id) && cidrContains(parseSubnetCidr(x.cidr), ip));
  if (!s) throw new Error(`management address ${ip} is on no management subnet`);
  return s;
}
