// AmphoraConfig -> the map state that serves it. Pure: no I/O, no clock, no randomness.
// Ids are kept stable across applies (same listener -> same vip id, same member -> same
// backend id) so counters and conntrack stay meaningful, and a new id never reuses one the
// maps still hold, so no entry is rewritten under a live reference.
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { Member__Output } from '../grpc/gen/velox/agent/v1/Member.js';
import type { Pool__Output } from '../grpc/gen/velox/agent/v1/Pool.js';
import { cidrContains, parseCidr, type Cidr } from './address.js';
import { isIPv4 } from 'node:net';
import {
  LB_BACKEND_F_ENABLED as BACKEND_F_ENABLED,
  LB_MAX_BACKENDS as MAX_BACKENDS,
  LB_MAX_RINGS as MAX_RINGS,
  LB_MAX_VIPS as MAX_VIPS,
  LB_VIP_F_ENABLED as VIP_F_ENABLED,
} from './codecs.js';
import { maglevTable, type MaglevBackend } from './maglev.js';
import { emptyState, vipKeyId, type Allocations, type L4Protocol, type MapState } from './state.js';

/** Builds a ring (backend id + 1 per slot, 0 = empty) from weighted backends. */
export type RingBuilder = (backends: readonly MaglevBackend[]) => Uint32Array;

export type OperatingStatus = 'ONLINE' | 'OFFLINE' | 'DEGRADED' | 'ERROR' | 'DRAINING' | 'NO_MONITOR';

/** Something in the config that is valid but not served; reported, never applied. */
export interface Problem {
  kind: 'listener' | 'pool' | 'member';
  id: string;
  reason: string;
}

export interface CompiledMember {
  id: string;
  poolId: string;
  backendId: number | null; // null: not compiled
  ifname: string | null; // the MEMBER interface it is reached through
  address: string;
  status: OperatingStatus;
}

export interface CompiledListener {
  id: string;
  vipId: number | null;
  poolId: string;
  status: OperatingStatus;
}

export interface Compiled {
  desired: MapState;
  allocations: Allocations;
  listeners: CompiledListener[];
  pools: { id: string; status: OperatingStatus }[];
  members: CompiledMember[];
  problems: Problem[];
}

const XDP_PROTOCOLS: readonly string[] = ['TCP', 'UDP'];

interface MemberNetwork {
  ifname: string;
  cidrs: Cidr[];
}

function memberNetworks(config: AmphoraConfig__Output): MemberNetwork[] {
  return config.interfaces
    .filter((i) => i.role === 'MEMBER')
    .map((i) => ({ ifname: i.name, cidrs: i.addresses.map(parseCidr) }));
}

function snatFor(nets: MemberNetwork[], address: string): { ifname: string; snat: string } | null {
  for (const net of nets) {
    const hit = net.cidrs.find((c) => cidrContains(c, address));
    if (hit) return { ifname: net.ifname, snat: hit.address };
  }
  return null;
}

/** Smallest id in [0, max) not in `taken`, or null. */
function freeId(taken: Set<number>, max: number, step = 1): number | null {
  for (let id = 0; id < max; id += step) if (!taken.has(id)) return id;
  return null;
}

function ringsEqual(a: Uint32Array | undefined, b: Uint32Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Members that take new flows: the primaries that are up, else the backups that are up. */
function ringMembers(pool: Pool__Output, compiled: Set<string>): Member__Output[] {
  if (!pool.admin_state_up) return [];
  const up = pool.members.filter((m) => m.admin_state_up && m.weight > 0 && compiled.has(m.id));
  const primaries = up.filter((m) => !m.backup);
  return primaries.length > 0 ? primaries : up.filter((m) => m.backup);
}

/**
 * Compile `config` given the ids handed out so far (`prev`) and what the maps hold now
 * (`current`, also used to adopt ids after an agent restart).
 */
export function compile(
  config: AmphoraConfig__Output,
  prev: Allocations,
  current: MapState,
  buildRing: RingBuilder = maglevTable,
): Compiled {
  const desired = emptyState();
  const problems: Problem[] = [];
  const next: Allocations = { vipIds: new Map(), backendIds: new Map(), rings: new Map() };

  // Which pools the fast path serves: those behind a TCP/UDP listener of the same protocol.
  const poolsById = new Map(config.pools.map((p) => [p.id, p]));
  const servedPools = new Set<string>();
  const listenerProblem = new Map<string, string>();
  for (const l of config.listeners) {
    if (!XDP_PROTOCOLS.includes(l.protocol)) {
      listenerProblem.set(l.id, `protocol ${l.protocol} is not served by the XDP fast path`);
      continue;
    }
    if (!isIPv4(l.vip_address)) {
      listenerProblem.set(l.id, `IPv6 VIP ${l.vip_address} is not served by the XDP fast path yet`);
      continue;
    }
    const pool = poolsById.get(l.default_pool_id);
    if (pool && pool.protocol !== l.protocol) {
      listenerProblem.set(l.id, `pool ${pool.id} protocol ${pool.protocol} does not match ${l.protocol}`);
      continue;
    }
    if (pool) servedPools.add(pool.id);
  }
  for (const l of config.listeners) {
    const reason = listenerProblem.get(l.id);
    if (reason) problems.push({ kind: 'listener', id: l.id, reason });
  }

  // Adoption: rings and vip ids the maps already use for a listener's service.
  const currentVipsByKey = current.vips;
  const adoptedRing = new Map<string, number>();
  for (const l of config.listeners) {
    if (listenerProblem.has(l.id) || !servedPools.has(l.default_pool_id)) continue;
    const v = currentVipsByKey.get(
      vipKeyId({ address: l.vip_address, port: l.protocol_port, protocol: l.protocol as L4Protocol }),
    );
    if (v && !adoptedRing.has(l.default_pool_id)) adoptedRing.set(l.default_pool_id, v.ringId);
  }
  // The backends each adopted ring reaches: members of different pools may share an address.
  const adoptedRingBackends = new Map<string, Set<number>>();
  for (const [poolId, ringId] of adoptedRing) {
    adoptedRingBackends.set(
      poolId,
      new Set([...(current.rings.get(ringId) ?? [])].filter((e) => e > 0).map((e) => e - 1)),
    );
  }

  // Backends: every member of a served pool that sits on an attached member network.
  const takenBackends = new Set<number>(current.backends.keys());
  const currentByAddress = new Map<string, number[]>();
  for (const [id, b] of current.backends) {
    const key = `${b.address} ${b.port} ${b.snat}`;
    currentByAddress.set(key, [...(currentByAddress.get(key) ?? []), id]);
  }
  const prevIds = new Set(prev.backendIds.values());
  const nets = memberNetworks(config);
  const members: CompiledMember[] = [];
  const compiledMembers = new Set<string>();
  const memberIds = new Map<string, number>();
  const claimed = new Set<number>();
  for (const pool of config.pools) {
    for (const m of pool.members) {
      const entry: CompiledMember = {
        id: m.id,
        poolId: pool.id,
        backendId: null,
        ifname: null,
        address: m.address,
        status: 'OFFLINE',
      };
      members.push(entry);
      if (!servedPools.has(pool.id)) continue;
      const route = isIPv4(m.address) ? snatFor(nets, m.address) : null;
      if (!route) {
        problems.push({ kind: 'member', id: m.id, reason: `${m.address} is on no attached member network` });
        entry.status = 'ERROR';
        continue;
      }
      // Stable id: the one handed out before, else the one the maps hold for this member, else a new one.
      let id = prev.backendIds.get(m.id);
      if (id !== undefined && claimed.has(id)) id = undefined;
      if (id === undefined) {
        // Adoption: a backend the maps hold for this address, preferring one in this pool's ring.
        const candidates = (
          currentByAddress.get(`${m.address} ${m.protocol_port} ${route.snat}`) ?? []
        ).filter((c) => !claimed.has(c) && !prevIds.has(c));
        const inRing = adoptedRingBackends.get(pool.id);
        id = candidates.find((c) => inRing?.has(c)) ?? candidates[0];
      }
      if (id === undefined) {
        const free = freeId(
          new Set([...takenBackends, ...claimed, ...prev.backendIds.values()]),
          MAX_BACKENDS,
        );
        if (free === null) {
          problems.push({ kind: 'member', id: m.id, reason: `more than ${MAX_BACKENDS} members` });
          entry.status = 'ERROR';
          continue;
        }
        id = free;
      }
      claimed.add(id);
      memberIds.set(m.id, id);
      next.backendIds.set(m.id, id);
      compiledMembers.add(m.id);
      entry.backendId = id;
      entry.ifname = route.ifname;
      desired.backends.set(id, {
        address: m.address,
        port: m.protocol_port,
        snat: route.snat,
        flags: m.admin_state_up && pool.admin_state_up ? BACKEND_F_ENABLED : 0,
      });
    }
  }

  // Rings: one pair per served pool; a changed table goes to the spare slot of the pair.
  const takenPairs = new Set<number>();
  for (const v of current.vips.values()) takenPairs.add(v.ringId >> 1);
  const pools: { id: string; status: OperatingStatus }[] = [];
  const usedPairs = new Set<number>();
  const poolRing = new Map<string, number>();
  for (const pool of config.pools) {
    const inRing = ringMembers(pool, compiledMembers);
    const inRingIds = new Set(inRing.map((m) => m.id));
    for (const entry of members.filter((e) => e.poolId === pool.id && e.backendId !== null)) {
      const m = pool.members.find((x) => x.id === entry.id) as Member__Output;
      if (inRingIds.has(m.id)) entry.status = 'ONLINE';
      else if (!m.admin_state_up || !pool.admin_state_up) entry.status = 'OFFLINE';
      else if (m.weight === 0) entry.status = 'DRAINING';
      else entry.status = 'ONLINE'; // a backup standing by while primaries are up
    }
    if (!servedPools.has(pool.id)) {
      pools.push({ id: pool.id, status: 'OFFLINE' });
      continue;
    }
    pools.push({
      id: pool.id,
      status: inRing.length > 0 ? 'ONLINE' : pool.admin_state_up ? 'ERROR' : 'OFFLINE',
    });
    let active = prev.rings.get(pool.id) ?? adoptedRing.get(pool.id);
    if (active !== undefined && usedPairs.has(active >> 1)) active = undefined;
    if (active === undefined) {
      const free = freeId(
        new Set([...takenPairs, ...usedPairs, ...[...prev.rings.values()].map((r) => r >> 1)]),
        MAX_RINGS / 2,
      );
      if (free === null) {
        problems.push({ kind: 'pool', id: pool.id, reason: `more than ${MAX_RINGS / 2} pools` });
        pools[pools.length - 1] = { id: pool.id, status: 'ERROR' };
        continue;
      }
      active = free * 2;
    }
    const table = buildRing(
      inRing.map((m) => ({ id: memberIds.get(m.id) as number, weight: m.weight, key: m.id })),
    );
    const ringId = ringsEqual(current.rings.get(active), table) ? active : active ^ 1;
    usedPairs.add(ringId >> 1);
    next.rings.set(pool.id, ringId);
    poolRing.set(pool.id, ringId);
    desired.rings.set(ringId, table);
  }

  // VIP entries: one per TCP/UDP listener; disabled when admin down or without a pool.
  const takenVips = new Set<number>([...current.vips.values()].map((v) => v.vipId));
  const claimedVips = new Set<number>();
  const listeners: CompiledListener[] = [];
  for (const l of config.listeners) {
    if (listenerProblem.has(l.id)) {
      listeners.push({ id: l.id, vipId: null, poolId: l.default_pool_id, status: 'ERROR' });
      continue;
    }
    const key = { address: l.vip_address, port: l.protocol_port, protocol: l.protocol as L4Protocol };
    let vipId = prev.vipIds.get(l.id);
    if (vipId !== undefined && claimedVips.has(vipId)) vipId = undefined;
    if (vipId === undefined) {
      const adopted = currentVipsByKey.get(vipKeyId(key))?.vipId;
      if (
        adopted !== undefined &&
        !claimedVips.has(adopted) &&
        ![...prev.vipIds.values()].includes(adopted)
      ) {
        vipId = adopted;
      }
    }
    if (vipId === undefined) {
      const free = freeId(new Set([...takenVips, ...claimedVips, ...prev.vipIds.values()]), MAX_VIPS);
      if (free === null) {
        problems.push({ kind: 'listener', id: l.id, reason: `more than ${MAX_VIPS} listeners` });
        listeners.push({ id: l.id, vipId: null, poolId: l.default_pool_id, status: 'ERROR' });
        continue;
      }
      vipId = free;
    }
    claimedVips.add(vipId);
    next.vipIds.set(l.id, vipId);
    const ringId = poolRing.get(l.default_pool_id);
    const enabled = l.admin_state_up && ringId !== undefined;
    desired.vips.set(vipKeyId(key), {
      ...key,
      flags: enabled ? VIP_F_ENABLED : 0,
      ringId: ringId ?? 0,
      vipId,
    });
    listeners.push({
      id: l.id,
      vipId,
      poolId: l.default_pool_id,
      status: l.admin_state_up ? 'ONLINE' : 'OFFLINE',
    });
  }

  return { desired, allocations: next, listeners, pools, members, problems };
}
