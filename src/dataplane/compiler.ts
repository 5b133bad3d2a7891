// AmphoraConfig -> the map state that serves it. Pure: no I/O, no clock, no randomness.
// Ids are kept stable across applies (same listener -> same vip id, same member -> same
// backend id) so counters and conntrack stay meaningful, and a new id never reuses one the
// maps still hold, so no entry is rewritten under a live reference. The steps live in
// compiler/: routing (XDP, HAProxy or nobody), backends, rings and statuses, VIP entries.
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import { compileBackends } from './compiler/backends.js';
import { compileRings, type RingBuilder } from './compiler/rings.js';
import { route, type RoutingOptions } from './compiler/routing.js';
import type { Compiled, MemberHealth, Problem } from './compiler/types.js';
import { compileVips } from './compiler/vips.js';
import { maglevTable } from './maglev.js';
import { emptyState, vipKeyId, type Allocations, type MapState } from './state.js';

export type {
  Compiled,
  CompiledListener,
  CompiledMember,
  CompiledPool,
  MemberHealth,
  OperatingStatus,
  Problem,
  ServedBy,
} from './compiler/types.js';
export type { RingBuilder } from './compiler/rings.js';

export interface CompileOptions extends RoutingOptions {
  /** Members' health-check results; members in ERROR leave the ring. Default: none known. */
  health?: MemberHealth;
  buildRing?: RingBuilder;
}

/**
 * Compile `config` given the ids handed out so far (`prev`) and what the maps hold now
 * (`current`, also used to adopt ids after an agent restart).
 */
export function compile(
  config: AmphoraConfig__Output,
  prev: Allocations,
  current: MapState,
  opts: CompileOptions = {},
): Compiled {
  const desired = emptyState();
  const next: Allocations = { vipIds: new Map(), backendIds: new Map(), rings: new Map() };
  const routing = route(config, opts);
  const problems: Problem[] = [...routing.problems];

  // Adoption: the ring each fast-path pool's VIP entry points at in the maps, and the backends it reaches.
  const adoptedRing = new Map<string, number>();
  for (const l of config.listeners) {
    const r = routing.listeners.get(l.id);
    if (r?.servedBy !== 'xdp' || !l.default_pool_id || adoptedRing.has(l.default_pool_id)) continue;
    const v = current.vips.get(vipKeyId({ address: r.vipAddress, port: l.protocol_port, protocol: r.l4 }));
    if (v) adoptedRing.set(l.default_pool_id, v.ringId);
  }
  const adoptedRingBackends = new Map<string, Set<number>>();
  for (const [poolId, ringId] of adoptedRing) {
    const entries = [...(current.rings.get(ringId) ?? [])].filter((e) => e > 0);
    adoptedRingBackends.set(poolId, new Set(entries.map((e) => e - 1)));
  }

  const members = compileBackends(
    { config, routing, prev, current, adoptedRingBackends },
    desired,
    next,
    problems,
  );
  const { pools, poolRing } = compileRings(
    {
      config,
      routing,
      prev,
      current,
      adoptedRing,
      health: opts.health ?? (() => undefined),
      buildRing: opts.buildRing ?? maglevTable,
    },
    members,
    desired,
    next,
    problems,
  );
  const listeners = compileVips({ config, routing, prev, current, poolRing }, desired, next, problems);
  const haproxyListeners = listeners.filter((l) => l.servedBy === 'haproxy').map((l) => l.id);
  return { desired, allocations: next, listeners, pools, members, problems, haproxyListeners };
}
