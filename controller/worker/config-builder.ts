// Intent → the whole desired config of one amphora. Pure: the DB graph of a load
// balancer and the amphora's addresses in, an AmphoraConfig (proto) out. Objects
// being deleted (PENDING_DELETE) are left out, so applying the result removes them.
import type { LoadBalancerGraph } from '../db/worker-repo.js';
import type { AmphoraConfig } from '../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { Interface } from '../../src/grpc/gen/velox/agent/v1/Interface.js';
import type { Listener } from '../../src/grpc/gen/velox/agent/v1/Listener.js';
import type { Pool } from '../../src/grpc/gen/velox/agent/v1/Pool.js';

/** Where the amphora sits on the networks (see amphora-plan.ts). */
export interface AmphoraAddresses {
  amphoraId: string;
  vip: { address: string; vrrpAddress: string; prefix: number };
  /** One per member network: mem0, mem1, … */
  memberNics: { name: string; address: string; prefix: number }[];
}

export interface BuildOptions {
  version: number;
  heartbeat: { target: string; interval_ms: number };
}

// The SNAT range of Full-NAT; the amphora's kernel keeps 60000-65000 for itself.
const SNAT_PORT_MIN = 10_000;
const SNAT_PORT_MAX = 59_999;

const live = <T extends { provisioning_status: string }>(rows: T[]): T[] =>
  rows.filter((r) => r.provisioning_status !== 'PENDING_DELETE');

export function buildAmphoraConfig(
  graph: LoadBalancerGraph,
  amp: AmphoraAddresses,
  opts: BuildOptions,
): AmphoraConfig {
  const lb = graph.loadBalancer;
  const lbUp = lb.enabled === 1;
  const pools: Pool[] = graph.pools
    .filter((p) => p.pool.provisioning_status !== 'PENDING_DELETE')
    .map(({ pool, members }) => ({
      id: pool.id,
      protocol: pool.protocol,
      lb_algorithm: pool.lb_algorithm,
      admin_state_up: pool.enabled === 1,
      members: live(members).map((m) => ({
        id: m.id,
        address: m.address,
        protocol_port: m.protocol_port,
        weight: m.weight,
        admin_state_up: m.enabled === 1,
        backup: m.backup === 1,
      })),
    }));
  const poolIds = new Set(pools.map((p) => p.id));
  const listeners: Listener[] = live(graph.listeners).map((l) => ({
    id: l.id,
    vip_address: lb.vip_address,
    protocol: l.protocol,
    protocol_port: l.protocol_port,
    default_pool_id: l.default_pool_id !== null && poolIds.has(l.default_pool_id) ? l.default_pool_id : '',
    // A disabled load balancer disables every listener (Octavia's admin_state_up).
    admin_state_up: lbUp && l.enabled === 1,
    connection_limit: l.connection_limit,
  }));
  const interfaces: Interface[] = [
    {
      name: 'vip0',
      role: 'VIP',
      // The amphora's own address first: it is the primary, the VIP is an alias.
      addresses: [`${amp.vip.vrrpAddress}/${amp.vip.prefix}`, `${amp.vip.address}/32`],
    },
    ...amp.memberNics.map((n): Interface => ({
      name: n.name,
      role: 'MEMBER',
      addresses: [`${n.address}/${n.prefix}`],
    })),
  ];
  return {
    version: opts.version,
    amphora_id: amp.amphoraId,
    loadbalancer_id: lb.id,
    interfaces,
    listeners,
    pools,
    heartbeat: opts.heartbeat,
    dataplane: { generic_xdp: false, snat_port_min: SNAT_PORT_MIN, snat_port_max: SNAT_PORT_MAX },
  };
}
