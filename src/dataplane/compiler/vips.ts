// Fast-path listeners -> lb_vips entries (ring, flags from the pool's algorithm and
// persistence, connection limit, timeouts) and their allowed_cidrs -> lb_allowed_cidrs;
// and one ICMP entry per VIP address, so the program answers echo requests to it.
import type { AmphoraConfig__Output } from '../../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { Listener__Output } from '../../grpc/gen/velox/agent/v1/Listener.js';
import type { Pool__Output } from '../../grpc/gen/velox/agent/v1/Pool.js';
import { familyOfAddress, networkOf, parseCidr } from '../address.js';
import {
  LB_MAX_CIDRS,
  LB_MAX_VIPS,
  LB_VIP_F_ALLOWED_CIDRS,
  LB_VIP_F_ENABLED,
  LB_VIP_F_HASH_SRC_IP,
  LB_VIP_F_LEAST_CONN,
  LB_VIP_F_ROUND_ROBIN,
} from '../codecs.js';
import { cidrKeyId, vipKeyId, type Allocations, type CidrEntry, type MapState } from '../state.js';
import { freeId } from './backends.js';
import type { Routing } from './routing.js';
import type { CompiledListener, Problem } from './types.js';

/** Octavia's defaults for a listener timeout of 0 (unset), in ms. */
export const DEFAULT_DATA_TIMEOUT_MS = 50_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** ICMP entries have no counters of their own: vip_id is out of every per-VIP map's range. */
export const ICMP_VIP_ID = LB_MAX_VIPS;

/** SOURCE_IP persistence wins over the algorithm: the same source must reach the same member. */
export function algorithmFlags(pool: Pool__Output | undefined): number {
  if (!pool) return 0;
  if (pool.session_persistence?.type === 'SOURCE_IP') return LB_VIP_F_HASH_SRC_IP;
  switch (pool.lb_algorithm) {
    case 'SOURCE_IP':
      return LB_VIP_F_HASH_SRC_IP;
    case 'ROUND_ROBIN':
      return LB_VIP_F_ROUND_ROBIN;
    case 'LEAST_CONNECTIONS':
      return LB_VIP_F_LEAST_CONN;
    default:
      return 0; // SOURCE_IP_PORT: Maglev on the 5-tuple
  }
}

export function timeouts(l: Listener__Output): { idleTimeoutMs: number; synTimeoutMs: number } {
  return {
    idleTimeoutMs: Math.max(
      l.timeout_client_data || DEFAULT_DATA_TIMEOUT_MS,
      l.timeout_member_data || DEFAULT_DATA_TIMEOUT_MS,
    ),
    synTimeoutMs: l.timeout_member_connect || DEFAULT_CONNECT_TIMEOUT_MS,
  };
}

/** The listener's allowed sources of the VIP's family, host bits cleared; other families are reported. */
function allowedCidrs(l: Listener__Output, family: 4 | 6, problems: Problem[]): Omit<CidrEntry, 'vipId'>[] {
  const out = new Map<string, Omit<CidrEntry, 'vipId'>>();
  for (const text of l.allowed_cidrs) {
    const net = networkOf(parseCidr(text));
    if (familyOfAddress(net.address) !== family) {
      problems.push({
        kind: 'listener',
        id: l.id,
        reason: `allowed_cidr ${text} is not IPv${family} like the VIP: it admits nobody`,
        effect: 'ignored',
      });
      continue;
    }
    out.set(`${net.address}/${net.prefix}`, net);
  }
  return [...out.values()];
}

export interface VipsInput {
  config: AmphoraConfig__Output;
  routing: Routing;
  prev: Allocations;
  current: MapState;
  poolRing: Map<string, number>;
}

export function compileVips(
  input: VipsInput,
  desired: MapState,
  next: Allocations,
  problems: Problem[],
): CompiledListener[] {
  const { config, routing, prev, current } = input;
  const poolsById = new Map(config.pools.map((p) => [p.id, p]));
  const takenVips = new Set<number>([
    ...[...current.vips.values()].filter((v) => v.protocol !== 'ICMP').map((v) => v.vipId),
    ...[...current.cidrs.values()].map((c) => c.vipId),
  ]);
  const prevVipIds = new Set(prev.vipIds.values());
  const claimed = new Set<number>();
  const listeners: CompiledListener[] = [];
  for (const l of config.listeners) {
    const r = routing.listeners.get(l.id);
    if (!r) continue;
    const connLimit = l.connection_limit > 0 ? l.connection_limit : 0;
    const base = { id: l.id, vipId: null, poolId: l.default_pool_id, connLimit };
    const icmp = { address: r.vipAddress, port: 0, protocol: 'ICMP' as const };
    desired.vips.set(vipKeyId(icmp), {
      ...icmp,
      flags: LB_VIP_F_ENABLED,
      ringId: 0,
      vipId: ICMP_VIP_ID,
      connLimit: 0,
      idleTimeoutMs: 0,
      synTimeoutMs: 0,
    });
    const fail = (reason: string): void => {
      problems.push({ kind: 'listener', id: l.id, reason, effect: 'not-served' });
      listeners.push({ ...base, servedBy: 'none', status: l.admin_state_up ? 'ERROR' : 'OFFLINE' });
    };
    if (r.servedBy === 'none') {
      listeners.push({ ...base, servedBy: 'none', status: l.admin_state_up ? 'ERROR' : 'OFFLINE' });
      continue;
    }
    if (r.servedBy === 'haproxy') {
      listeners.push({ ...base, servedBy: 'haproxy', status: l.admin_state_up ? 'ONLINE' : 'OFFLINE' });
      continue;
    }
    const cidrs = allowedCidrs(l, r.family, problems);
    if (desired.cidrs.size + cidrs.length > LB_MAX_CIDRS) {
      fail(`more than ${LB_MAX_CIDRS} allowed_cidrs over all listeners`);
      continue;
    }
    const key = { address: r.vipAddress, port: l.protocol_port, protocol: r.l4 };
    let vipId = prev.vipIds.get(l.id);
    if (vipId !== undefined && claimed.has(vipId)) vipId = undefined;
    if (vipId === undefined) {
      const adopted = current.vips.get(vipKeyId(key))?.vipId;
      if (adopted !== undefined && !claimed.has(adopted) && !prevVipIds.has(adopted)) vipId = adopted;
    }
    if (vipId === undefined) {
      const free = freeId(new Set([...takenVips, ...claimed, ...prevVipIds]), LB_MAX_VIPS);
      if (free === null) {
        fail(`more than ${LB_MAX_VIPS} listeners`);
        continue;
      }
      vipId = free;
    }
    claimed.add(vipId);
    next.vipIds.set(l.id, vipId);
    for (const c of cidrs) {
      const entry = { vipId, ...c };
      desired.cidrs.set(cidrKeyId(entry), entry);
    }
    const ringId = input.poolRing.get(l.default_pool_id);
    const enabled = l.admin_state_up && ringId !== undefined;
    desired.vips.set(vipKeyId(key), {
      ...key,
      flags:
        (enabled ? LB_VIP_F_ENABLED : 0) |
        algorithmFlags(poolsById.get(l.default_pool_id)) |
        (l.allowed_cidrs.length > 0 ? LB_VIP_F_ALLOWED_CIDRS : 0),
      ringId: ringId ?? 0,
      vipId,
      connLimit,
      ...timeouts(l),
    });
    listeners.push({ ...base, vipId, servedBy: 'xdp', status: l.admin_state_up ? 'ONLINE' : 'OFFLINE' });
  }
  return listeners;
}
