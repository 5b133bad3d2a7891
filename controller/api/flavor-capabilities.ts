// The flavor profile keys of the amphora provider (velox and its aliases), named and
// described as Octavia's amphora driver does (amphora_driver/flavor_schema.py), and
// what the worker reads from a validated flavor. Only loadbalancer_topology has an
// effect here; the rest are accepted and stored (README: Providers, flavors, zones).
import type { Capability } from './capability.js';

export type Topology = 'SINGLE' | 'ACTIVE_STANDBY';

/** Octavia's SUPPORTED_LB_TOPOLOGIES, in its order (its enum message lists them so). */
export const TOPOLOGIES: readonly Topology[] = ['ACTIVE_STANDBY', 'SINGLE'];

export const AMPHORA_FLAVOR_CAPABILITIES: readonly Capability[] = [
  {
    name: 'loadbalancer_topology',
    description:
      'The load balancer topology. One of: SINGLE - One amphora per load balancer. ' +
      'ACTIVE_STANDBY - Two amphora per load balancer.',
    type: 'string',
    values: TOPOLOGIES,
  },
  { name: 'compute_flavor', description: 'The compute driver flavor ID.', type: 'string' },
  { name: 'amp_image_tag', description: 'The amphora image tag.', type: 'string' },
  {
    name: 'sriov_vip',
    description: 'When true, the VIP port will be created using an SR-IOV VF port.',
    type: 'boolean',
  },
  {
    name: 'allow_member_sriov',
    description: 'When true, users can request a member port be SR-IOV enabled at member creation time.',
    type: 'boolean',
  },
];

/**
 * The topology a flavor's data asks for, or undefined when it names none (the
 * deployment's default applies). The data is a validated flavor profile's object.
 */
export function flavorTopology(flavorData: Record<string, unknown>): Topology | undefined {
  const t = flavorData['loadbalancer_topology'];
  return TOPOLOGIES.find((known) => known === t);
}
