// The counters of the fast path, read from the maps: per-CPU stats and drops summed,
// connections open now estimated from the conntrack sweep's count plus the flows
// opened since it (lb_*_active and lb_*_opened, see lb.h).
import type { NativeAddon } from '../native/native.js';
import {
  EXIT_COUNTER_SIZE,
  ExitReason,
  LB_EXIT_MAX,
  STATS_SIZE,
  U64_SIZE,
  decodeActive,
  decodeExitCounter,
  decodeStats,
  decodeU64,
  encodeU32,
  sumPerCpu,
} from './codecs.js';
import type { Traffic, TrafficSnapshot } from './driver.js';
import type { LbMaps } from './maps.js';

/** The drop reasons, by name without DROP_ ("CIDR") and index in lb_*_drops. */
export const DROP_REASONS: readonly [string, number][] = Object.entries(ExitReason)
  .filter(([name]) => name.startsWith('DROP_'))
  .map(([name, index]) => [name.slice('DROP_'.length), index]);

interface CounterMaps {
  stats: number;
  drops: number;
  opened: number;
  active: number;
}

function readOne(nat: NativeAddon, m: CounterMaps, id: number, cpus: number): Traffic {
  const key = encodeU32(id);
  const raw = nat.mapLookup(m.stats, key);
  const s = raw
    ? decodeStats(sumPerCpu(raw, cpus, STATS_SIZE))
    : { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, newFlows: 0 };
  const drops: Record<string, bigint> = {};
  for (const [reason, index] of DROP_REASONS) {
    const d = nat.mapLookup(m.drops, encodeU32(id * LB_EXIT_MAX + index));
    drops[reason] = d ? decodeU64(sumPerCpu(d, cpus, U64_SIZE)) : 0n;
  }
  const openedRaw = nat.mapLookup(m.opened, key);
  const activeRaw = nat.mapLookup(m.active, key);
  const opened = openedRaw ? decodeU64(openedRaw) : 0n;
  const a = activeRaw ? decodeActive(activeRaw) : { openedAtSweep: 0n, active: 0n };
  const estimate = a.active + (opened > a.openedAtSweep ? opened - a.openedAtSweep : 0n);
  return {
    packetsIn: BigInt(s.rxPackets),
    bytesIn: BigInt(s.rxBytes),
    packetsOut: BigInt(s.txPackets),
    bytesOut: BigInt(s.txBytes),
    connections: BigInt(s.newFlows),
    active: estimate,
    drops,
  };
}

export function readTraffic(
  nat: NativeAddon,
  maps: LbMaps,
  vipIds: Iterable<number>,
  backendIds: Iterable<number>,
): TrafficSnapshot {
  const cpus = nat.possibleCpus();
  const vipMaps = {
    stats: maps.vipStats,
    drops: maps.vipDrops,
    opened: maps.vipOpened,
    active: maps.vipActive,
  };
  const backendMaps = {
    stats: maps.backendStats,
    drops: maps.backendDrops,
    opened: maps.backendOpened,
    active: maps.backendActive,
  };
  const snapshot: TrafficSnapshot = { vips: new Map(), backends: new Map(), exits: [] };
  for (const id of vipIds) snapshot.vips.set(id, readOne(nat, vipMaps, id, cpus));
  for (const id of backendIds) snapshot.backends.set(id, readOne(nat, backendMaps, id, cpus));
  for (const [reason, index] of Object.entries(ExitReason)) {
    const raw = nat.mapLookup(maps.exitStats, encodeU32(index));
    const c = raw ? decodeExitCounter(sumPerCpu(raw, cpus, EXIT_COUNTER_SIZE)) : { packets: 0, bytes: 0 };
    snapshot.exits.push({ reason: reason.toLowerCase(), packets: BigInt(c.packets), bytes: BigInt(c.bytes) });
  }
  return snapshot;
}
