// Configs for the compiler tests: one VIP network, two member networks (IPv4 and IPv6
// on each), listeners and pools given as partial objects over sensible defaults.
import { readAmphoraConfig } from '../../src/config/proto-json.js';
import { compile, type CompileOptions } from '../../src/dataplane/compiler.js';
import { emptyAllocations, emptyState, type MapState } from '../../src/dataplane/state.js';

export const VIP4 = '10.201.1.100';
export const VIP6 = 'fd00:201:1::100';

type Obj = Record<string, unknown>;

export function member(id: string, address: string, extra: Obj = {}): Obj {
  return { id, address, protocol_port: 8080, weight: 1, admin_state_up: true, ...extra };
}

export function pool(id: string, members: Obj[], extra: Obj = {}): Obj {
  return { id, protocol: 'TCP', lb_algorithm: 'SOURCE_IP_PORT', admin_state_up: true, members, ...extra };
}

export function listener(id: string, poolId: string, extra: Obj = {}): Obj {
  return {
    id,
    vip_address: VIP4,
    protocol: 'TCP',
    protocol_port: 80,
    default_pool_id: poolId,
    admin_state_up: true,
    connection_limit: -1,
    ...extra,
  };
}

export function amphora(listeners: Obj[], pools: Obj[]) {
  return readAmphoraConfig({
    version: 1,
    amphora_id: 'a1',
    interfaces: [
      { name: 'vip0', role: 'VIP', addresses: ['10.201.1.2/24', 'fd00:201:1::2/64'] },
      { name: 'mem0', role: 'MEMBER', addresses: ['10.201.2.2/24', 'fd00:201:2::2/64'] },
      { name: 'mem1', role: 'MEMBER', addresses: ['10.201.3.2/24'] },
    ],
    listeners,
    pools,
  });
}

/** Compile from scratch (no previous ids, empty maps). */
export function compileFresh(listeners: Obj[], pools: Obj[], opts: CompileOptions = {}) {
  return compile(amphora(listeners, pools), emptyAllocations(), emptyState(), opts);
}

/** Backend ids in a ring. */
export function ringBackends(state: MapState, ringId: number): Set<number> {
  return new Set([...(state.rings.get(ringId) ?? [])].filter((e) => e !== 0).map((e) => e - 1));
}
