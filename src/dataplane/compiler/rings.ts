// One Maglev ring per fast-path pool, in a pair of lb_rings rows: a changed table is
// written to the row no VIP points at, then the VIP entry flips to it, so a lookup never
// sees a half-written table. The ring holds the members that take new flows: enabled,
// weight > 0, not failing their health check; backups only when no primary qualifies.
import type { AmphoraConfig__Output } from '../../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { Member__Output } from '../../grpc/gen/velox/agent/v1/Member.js';
import type { Pool__Output } from '../../grpc/gen/velox/agent/v1/Pool.js';
import { LB_MAX_RINGS } from '../codecs.js';
import type { MaglevBackend } from '../maglev.js';
import type { Allocations, MapState } from '../state.js';
import { freeId } from './backends.js';
import type { Routing } from './routing.js';
import { failsHealth, memberStatus, poolStatus } from './status.js';
import type { CompiledMember, CompiledPool, MemberHealth, Problem } from './types.js';

/** Builds a ring (backend id + 1 per slot, 0 = empty) from weighted backends. */
export type RingBuilder = (backends: readonly MaglevBackend[]) => Uint32Array;

function ringsEqual(a: Uint32Array | undefined, b: Uint32Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function ringMembers(
  pool: Pool__Output,
  backendIds: Map<string, number>,
  health: MemberHealth,
): Member__Output[] {
  if (!pool.admin_state_up) return [];
  const up = pool.members.filter(
    (m) => m.admin_state_up && m.weight > 0 && backendIds.has(m.id) && !failsHealth(pool, m, health),
  );
  const primaries = up.filter((m) => !m.backup);
  return primaries.length > 0 ? primaries : up.filter((m) => m.backup);
}

export interface RingsInput {
  config: AmphoraConfig__Output;
  routing: Routing;
  prev: Allocations;
  current: MapState;
  adoptedRing: Map<string, number>;
  health: MemberHealth;
  buildRing: RingBuilder;
}

/** Fills desired.rings and next.rings, sets member statuses; returns the pools and their ring ids. */
export function compileRings(
  input: RingsInput,
  members: CompiledMember[],
  desired: MapState,
  next: Allocations,
  problems: Problem[],
): { pools: CompiledPool[]; poolRing: Map<string, number> } {
  const { config, routing, prev, current, health } = input;
  const takenPairs = new Set<number>();
  for (const v of current.vips.values()) if (v.protocol !== 'ICMP') takenPairs.add(v.ringId >> 1);
  const prevPairs = [...prev.rings.values()].map((r) => r >> 1);
  const usedPairs = new Set<number>();
  const poolRing = new Map<string, number>();
  const pools: CompiledPool[] = [];
  for (const pool of config.pools) {
    const servedBy = routing.pools.get(pool.id)?.servedBy ?? 'none';
    const mine = members.filter((e) => e.poolId === pool.id);
    if (servedBy !== 'xdp') {
      pools.push({ id: pool.id, servedBy, status: 'OFFLINE' });
      continue;
    }
    const compiled = new Map(
      mine.filter((e) => e.backendId !== null).map((e) => [e.id, e.backendId as number]),
    );
    const inRing = ringMembers(pool, compiled, health);
    const inRingIds = new Set(inRing.map((m) => m.id));
    for (const entry of mine) {
      const m = pool.members.find((x) => x.id === entry.id) as Member__Output;
      entry.inRing = inRingIds.has(m.id);
      if (entry.servedBy === 'xdp') entry.status = memberStatus(pool, m, entry, health);
    }
    let active = prev.rings.get(pool.id) ?? input.adoptedRing.get(pool.id);
    if (active !== undefined && usedPairs.has(active >> 1)) active = undefined;
    if (active === undefined) {
      const free = freeId(new Set([...takenPairs, ...usedPairs, ...prevPairs]), LB_MAX_RINGS / 2);
      if (free === null) {
        problems.push({
          kind: 'pool',
          id: pool.id,
          reason: `more than ${LB_MAX_RINGS / 2} pools`,
          effect: 'not-served',
        });
        pools.push({ id: pool.id, servedBy: 'none', status: 'ERROR' });
        continue;
      }
      active = free * 2;
    }
    const table = input.buildRing(
      inRing.map((m) => ({ id: compiled.get(m.id) as number, weight: m.weight, key: m.id })),
    );
    const ringId = ringsEqual(current.rings.get(active), table) ? active : active ^ 1;
    usedPairs.add(ringId >> 1);
    next.rings.set(pool.id, ringId);
    poolRing.set(pool.id, ringId);
    desired.rings.set(ringId, table);
    pools.push({ id: pool.id, servedBy, status: poolStatus(pool, inRing.length, mine) });
  }
  return { pools, poolRing };
}
