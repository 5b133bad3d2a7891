// Members of fast-path pools -> lb_backends entries: the member's address and port, and
// the amphora's own address on the member's network (same family) as the SNAT source.
// A member keeps its backend id across applies; a restarted agent adopts the id the
// pinned maps hold for the same (address, port, SNAT), preferring one in the pool's ring.
import type { AmphoraConfig__Output } from '../../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import { canonicalAddress, cidrContains, familyOfAddress, parseCidr, type Cidr } from '../address.js';
import { LB_BACKEND_F_ENABLED, LB_MAX_BACKENDS } from '../codecs.js';
import type { Allocations, MapState } from '../state.js';
import type { Routing } from './routing.js';
import type { CompiledMember, Problem } from './types.js';

interface MemberNetwork {
  ifname: string;
  cidrs: Cidr[];
}

function memberNetworks(config: AmphoraConfig__Output): MemberNetwork[] {
  return config.interfaces
    .filter((i) => i.role === 'MEMBER')
    .map((i) => ({ ifname: i.name, cidrs: i.addresses.map(parseCidr) }));
}

/** The member network holding `address`, and the amphora's address there (same family). */
function snatFor(nets: MemberNetwork[], address: string): { ifname: string; snat: string } | null {
  for (const net of nets) {
    const hit = net.cidrs.find((c) => cidrContains(c, address));
    if (hit) return { ifname: net.ifname, snat: hit.address };
  }
  return null;
}

/** Smallest id in [0, max) not in `taken`, or null. */
export function freeId(taken: Set<number>, max: number): number | null {
  for (let id = 0; id < max; id++) if (!taken.has(id)) return id;
  return null;
}

export interface BackendsInput {
  config: AmphoraConfig__Output;
  routing: Routing;
  prev: Allocations;
  current: MapState;
  /** Backend ids each pool's adopted ring reaches (members of two pools may share an address). */
  adoptedRingBackends: Map<string, Set<number>>;
}

/** Fills desired.backends and next.backendIds; returns every member of the config. */
export function compileBackends(
  input: BackendsInput,
  desired: MapState,
  next: Allocations,
  problems: Problem[],
): CompiledMember[] {
  const { config, routing, prev, current } = input;
  const takenBackends = new Set<number>(current.backends.keys());
  const currentByAddress = new Map<string, number[]>();
  for (const [id, b] of current.backends) {
    const key = `${b.address} ${b.port} ${b.snat}`;
    currentByAddress.set(key, [...(currentByAddress.get(key) ?? []), id]);
  }
  const prevIds = new Set(prev.backendIds.values());
  const nets = memberNetworks(config);
  const members: CompiledMember[] = [];
  const claimed = new Set<number>();
  for (const pool of config.pools) {
    const poolRoute = routing.pools.get(pool.id) ?? { servedBy: 'none' as const, family: 4 as const };
    for (const m of pool.members) {
      const address = canonicalAddress(m.address);
      const entry: CompiledMember = {
        id: m.id,
        poolId: pool.id,
        backendId: null,
        ifname: null,
        address,
        inRing: false,
        servedBy: poolRoute.servedBy,
        status: 'OFFLINE',
      };
      members.push(entry);
      if (poolRoute.servedBy !== 'xdp') continue;
      const refuse = (reason: string): void => {
        problems.push({ kind: 'member', id: m.id, reason, effect: 'not-served' });
        entry.status = 'ERROR';
        entry.servedBy = 'none';
      };
      if (familyOfAddress(address) !== poolRoute.family) {
        refuse(`${address} is not IPv${poolRoute.family} like the VIP (UDP cannot cross families)`);
        continue;
      }
      const path = snatFor(nets, address);
      if (!path) {
        refuse(`${address} is on no attached member network`);
        continue;
      }
      // Stable id: the one handed out before, else the one the maps hold for this member, else a new one.
      let id = prev.backendIds.get(m.id);
      if (id !== undefined && claimed.has(id)) id = undefined;
      if (id === undefined) {
        const candidates = (currentByAddress.get(`${address} ${m.protocol_port} ${path.snat}`) ?? []).filter(
          (c) => !claimed.has(c) && !prevIds.has(c),
        );
        const inRing = input.adoptedRingBackends.get(pool.id);
        id = candidates.find((c) => inRing?.has(c)) ?? candidates[0];
      }
      if (id === undefined) {
        const free = freeId(new Set([...takenBackends, ...claimed, ...prevIds]), LB_MAX_BACKENDS);
        if (free === null) {
          refuse(`more than ${LB_MAX_BACKENDS} members`);
          continue;
        }
        id = free;
      }
      claimed.add(id);
      next.backendIds.set(m.id, id);
      entry.backendId = id;
      entry.ifname = path.ifname;
      desired.backends.set(id, {
        address,
        port: m.protocol_port,
        snat: path.snat,
        flags: m.admin_state_up && pool.admin_state_up ? LB_BACKEND_F_ENABLED : 0,
        weight: m.weight,
      });
    }
  }
  return members;
}
