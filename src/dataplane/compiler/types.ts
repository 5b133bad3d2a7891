// What the compiler hands back: the desired maps, the ids, every object's operating status,
// which listeners HAProxy serves instead, and what in the config is not served as asked.
import type { Allocations, MapState } from '../state.js';

export type OperatingStatus = 'ONLINE' | 'OFFLINE' | 'DEGRADED' | 'ERROR' | 'DRAINING' | 'NO_MONITOR';

/** What the member health checker knows of a member (undefined: no result yet). */
export type MemberHealth = (memberId: string) => 'ONLINE' | 'ERROR' | 'NO_MONITOR' | undefined;

/** Who serves an object: the XDP fast path, HAProxy (TCP mode), or nobody. */
export type ServedBy = 'xdp' | 'haproxy' | 'none';

/**
 * Something in the config that is not served as written, always reported:
 * not-served (left out), haproxy (served by HAProxy instead of XDP), ignored (served,
 * but this setting has no effect, as in Octavia).
 */
export interface Problem {
  kind: 'listener' | 'pool' | 'member';
  id: string;
  reason: string;
  effect: 'not-served' | 'haproxy' | 'ignored';
}

export interface CompiledMember {
  id: string;
  poolId: string;
  backendId: number | null; // null: not compiled
  ifname: string | null; // the MEMBER interface it is reached through
  address: string;
  inRing: boolean; // takes new flows
  servedBy: ServedBy;
  status: OperatingStatus;
}

export interface CompiledPool {
  id: string;
  servedBy: ServedBy;
  status: OperatingStatus;
}

export interface CompiledListener {
  id: string;
  vipId: number | null;
  poolId: string;
  servedBy: ServedBy;
  connLimit: number; // 0 = unlimited
  status: OperatingStatus;
}

export interface Compiled {
  desired: MapState;
  allocations: Allocations;
  listeners: CompiledListener[];
  pools: CompiledPool[];
  members: CompiledMember[];
  problems: Problem[];
  /** Listeners to hand to HAProxy (ids), in config order; the reasons are in `problems`. */
  haproxyListeners: string[];
}
