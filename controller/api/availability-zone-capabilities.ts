// The availability zone profile keys of the amphora provider (velox and its aliases),
// named and described as Octavia's amphora driver does
// (amphora_driver/availability_zone_schema.py), and the checks of the two that mean
// something here: management_network (the network of the amphorae's management NIC)
// and valid_vip_networks (the networks a VIP in the zone may use).
import { VeloxError } from '../errors.js';
import type { Network, NetworkDriver } from '../drivers/network/types.js';
import type { Capability } from './capability.js';

export const AMPHORA_AVAILABILITY_ZONE_CAPABILITIES: readonly Capability[] = [
  { name: 'compute_zone', description: 'The compute availability zone.', type: 'string' },
  { name: 'volume_zone', description: 'The volume availability zone.', type: 'string' },
  { name: 'management_network', description: 'The management network ID for the amphora.', type: 'string' },
  {
    name: 'valid_vip_networks',
    description:
      'List of network IDs that are allowed for VIP use. This overrides/replaces the list of ' +
      'allowed networks configured in `octavia.conf`.',
    type: 'array',
    items: 'string',
  },
];

function knownNetwork(network: NetworkDriver, idOrName: string): Network {
  const n = network.findNetwork(idOrName);
  // Octavia asks Neutron for each network; here an unknown one is the client's error.
  if (!n) throw new VeloxError('InvalidSubresource', { resource: 'Network', id: idOrName });
  return n;
}

/**
 * The networks a validated zone profile names exist: its management network is a
 * management network of this deployment (the agents and the health service are
 * reachable only there), its VIP networks are networks users may use.
 */
export function checkZoneNetworks(network: NetworkDriver, data: Record<string, unknown>): void {
  const mgmt = data['management_network'];
  if (typeof mgmt === 'string' && !knownNetwork(network, mgmt).management) {
    throw new VeloxError('ValidationException', {
      detail: `Network ${mgmt} is not a load balancer management network of this deployment.`,
    });
  }
  const vips = data['valid_vip_networks'];
  if (Array.isArray(vips)) for (const v of vips as string[]) knownNetwork(network, v);
}

/** Octavia's network_allowed_by_config with the zone's valid_vip_networks. */
export function checkVipNetworkAllowed(
  network: NetworkDriver,
  data: Record<string, unknown>,
  vipNetworkId: string,
): void {
  const allowed = data['valid_vip_networks'];
  if (!Array.isArray(allowed) || allowed.length === 0) return;
  // Names are accepted as well as ids: both name one local network.
  const ids = (allowed as string[]).map((v) => (network.findNetwork(v)?.id ?? v).toLowerCase());
  if (!ids.includes(vipNetworkId.toLowerCase())) {
    throw new VeloxError('ValidationException', {
      detail: 'Supplied VIP network_id is not allowed by the configuration of this deployment.',
    });
  }
}
