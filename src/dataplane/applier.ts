// Executes a Plan against the maps, in the plan's order, and keeps the state the maps
// are known to hold. A write that fails leaves the maps partly updated but never
// inconsistent for traffic (see diff.ts); the state is then re-read so the next apply
// starts from the truth. An id new to the maps starts from zeroed counters.
import type { NativeAddon } from '../native/native.js';
import {
  ACTIVE_SIZE,
  BACKEND_SIZE,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  LB_EXIT_MAX,
  LB_FAMILY_IPV6,
  LB_RING_SIZE,
  STATS_SIZE,
  U64_SIZE,
  encodeBackend,
  encodeCidrKey,
  encodeRing,
  encodeU32,
  encodeVipKey,
  encodeVipMeta,
  familyOf,
  ringKeys,
} from './codecs.js';
import type { Compiled } from './compiler.js';
import { diff, type Plan } from './diff.js';
import { readMapState } from './map-state.js';
import type { LbMaps } from './maps.js';
import { emptyAllocations, type Allocations, type CidrEntry, type MapState, type VipEntry } from './state.js';

export function vipProto(v: Pick<VipEntry, 'protocol' | 'address'>): number {
  if (v.protocol === 'TCP') return IPPROTO_TCP;
  if (v.protocol === 'UDP') return IPPROTO_UDP;
  return familyOf(v.address) === LB_FAMILY_IPV6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
}

function vipKey(v: VipEntry): Buffer {
  return encodeVipKey({ addr: v.address, port: v.port, proto: vipProto(v) });
}

function cidrKey(c: CidrEntry): Buffer {
  return encodeCidrKey({ vipId: c.vipId, addr: c.address, prefixLength: c.prefix });
}

const CIDR_PRESENT = encodeU32(1);

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

  /** Zero every per-id counter of these ids in one map family (stats, drops, opened, active). */
  private resetCounters(kind: 'vip' | 'backend', ids: number[]): void {
    if (ids.length === 0) return;
    const nat = this.nat;
    const m = this.maps;
    const cpus = nat.possibleCpus();
    const keys = Buffer.concat(ids.map((id) => encodeU32(id)));
    const batch = (fd: number, valueSize: number, keyBuf = keys, count = ids.length): void =>
      nat.mapUpdateBatch(fd, keyBuf, Buffer.alloc(valueSize * count), count);
    const dropKeys = Buffer.concat(
      ids.flatMap((id) => Array.from({ length: LB_EXIT_MAX }, (_, r) => encodeU32(id * LB_EXIT_MAX + r))),
    );
    const perCpuU64 = U64_SIZE * cpus;
    if (kind === 'vip') {
      batch(m.vipStats, STATS_SIZE * cpus);
      batch(m.vipDrops, perCpuU64, dropKeys, ids.length * LB_EXIT_MAX);
      batch(m.vipOpened, U64_SIZE);
      batch(m.vipActive, ACTIVE_SIZE);
      batch(m.rr, perCpuU64); // a u32 per CPU, each slot 8-byte aligned
    } else {
      batch(m.backendStats, STATS_SIZE * cpus);
      batch(m.backendDrops, perCpuU64, dropKeys, ids.length * LB_EXIT_MAX);
      batch(m.backendOpened, U64_SIZE);
      batch(m.backendActive, ACTIVE_SIZE);
    }
  }

  private execute(plan: Plan): void {
    const nat = this.nat;
    const m = this.maps;
    // 1. Backends (new ids start from zeroed counters).
    if (plan.backendsUpsert.length > 0) {
      this.resetCounters(
        'backend',
        plan.backendsUpsert.map(([id]) => id).filter((id) => !this.current.backends.has(id)),
      );
      const keys = Buffer.concat(plan.backendsUpsert.map(([id]) => encodeU32(id)));
      const values = Buffer.concat(
        plan.backendsUpsert.map(([, b]) =>
          encodeBackend({ addr: b.address, snat: b.snat, port: b.port, flags: b.flags, weight: b.weight }),
        ),
      );
      nat.mapUpdateBatch(m.backends, keys, values, plan.backendsUpsert.length);
    }
    // 2. Rings, into slots no VIP points at yet.
    for (const [ringId, ring] of plan.ringsWrite) {
      nat.mapUpdateBatch(m.rings, ringKeys(ringId), encodeRing(ring), LB_RING_SIZE);
    }
    // 3. Allowed sources, before a VIP entry that checks them.
    for (const c of plan.cidrsInsert) nat.mapUpdate(m.allowedCidrs, cidrKey(c), CIDR_PRESENT);
    // 4. VIP entries: insert, or flip ring_id / flags / limits.
    if (plan.vipsUpsert.length > 0) {
      const known = new Set([...this.current.vips.values()].map((v) => v.vipId));
      const fresh = new Set(
        plan.vipsUpsert.filter((v) => v.protocol !== 'ICMP' && !known.has(v.vipId)).map((v) => v.vipId),
      );
      this.resetCounters('vip', [...fresh]);
      const keys = Buffer.concat(plan.vipsUpsert.map(vipKey));
      const values = Buffer.concat(plan.vipsUpsert.map((v) => encodeVipMeta(v)));
      nat.mapUpdateBatch(m.vips, keys, values, plan.vipsUpsert.length);
    }
    // 5. Removals: VIP entries first, then what only they used.
    for (const v of plan.vipsDelete) nat.mapDelete(m.vips, vipKey(v));
    for (const c of plan.cidrsDelete) nat.mapDelete(m.allowedCidrs, cidrKey(c));
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
