// Executes a Plan against the maps, in the plan's order, and keeps the state the maps
// are known to hold. A write that fails leaves the maps partly updated but never
// inconsistent for traffic (see diff.ts); the state is then re-read so the next apply
// starts from the truth.
import type { NativeAddon } from '../native/native.js';
import {
  BACKEND_SIZE,
  IPPROTO_TCP,
  IPPROTO_UDP,
  LB_RING_SIZE,
  STATS_SIZE,
  encodeBackend,
  encodeRing,
  encodeU32,
  encodeVipKey,
  encodeVipMeta,
  ringKeys,
} from './codecs.js';
import type { Compiled } from './compiler.js';
import { diff, type Plan } from './diff.js';
import { readMapState } from './map-state.js';
import type { LbMaps } from './maps.js';
import { emptyAllocations, type Allocations, type MapState, type VipEntry } from './state.js';

function vipKey(v: VipEntry): Buffer {
  return encodeVipKey({
    addr: v.address,
    port: v.port,
    proto: v.protocol === 'TCP' ? IPPROTO_TCP : IPPROTO_UDP,
  });
}

export class Applier {
  current: MapState;
  allocations: Allocations = emptyAllocations();

  constructor(
    private readonly nat: NativeAddon,
    private readonly maps: LbMaps,
  ) {
    this.current = readMapState(nat, maps);
  }

  /** Write the difference between what the maps hold and `compiled.desired`. */
  apply(compiled: Compiled): Plan {
    const plan = diff(this.current, compiled.desired);
    try {
      this.execute(plan);
    } catch (err) {
      this.current = readMapState(this.nat, this.maps);
      throw err;
    }
    this.current = compiled.desired;
    this.allocations = compiled.allocations;
    return plan;
  }

  private execute(plan: Plan): void {
    const nat = this.nat;
    const m = this.maps;
    const zeroStats = Buffer.alloc(nat.possibleCpus() * STATS_SIZE);
    // 1. Backends (new ids start from zeroed counters).
    if (plan.backendsUpsert.length > 0) {
      for (const [id] of plan.backendsUpsert) {
        if (!this.current.backends.has(id)) nat.mapUpdate(m.backendStats, encodeU32(id), zeroStats);
      }
      const keys = Buffer.concat(plan.backendsUpsert.map(([id]) => encodeU32(id)));
      const values = Buffer.concat(
        plan.backendsUpsert.map(([, b]) =>
          encodeBackend({ addr: b.address, snat: b.snat, port: b.port, flags: b.flags }),
        ),
      );
      nat.mapUpdateBatch(m.backends, keys, values, plan.backendsUpsert.length);
    }
    // 2. Rings, into slots no VIP points at yet.
    for (const [ringId, ring] of plan.ringsWrite) {
      nat.mapUpdateBatch(m.rings, ringKeys(ringId), encodeRing(ring), LB_RING_SIZE);
    }
    // 3. VIP entries: insert, or flip ring_id / flags.
    if (plan.vipsUpsert.length > 0) {
      const knownVipIds = new Set([...this.current.vips.values()].map((v) => v.vipId));
      for (const v of plan.vipsUpsert) {
        if (!knownVipIds.has(v.vipId)) nat.mapUpdate(m.vipStats, encodeU32(v.vipId), zeroStats);
      }
      const keys = Buffer.concat(plan.vipsUpsert.map(vipKey));
      const values = Buffer.concat(plan.vipsUpsert.map((v) => encodeVipMeta(v)));
      nat.mapUpdateBatch(m.vips, keys, values, plan.vipsUpsert.length);
    }
    // 4. Removals: VIP entries first, then the backends only they reached.
    for (const v of plan.vipsDelete) nat.mapDelete(m.vips, vipKey(v));
    if (plan.backendsDelete.length > 0) {
      const keys = Buffer.concat(plan.backendsDelete.map((id) => encodeU32(id)));
      nat.mapUpdateBatch(
        m.backends,
        keys,
        Buffer.alloc(BACKEND_SIZE * plan.backendsDelete.length),
        plan.backendsDelete.length,
      );
    }
  }
}
