// Reading and writing the xdp_lb maps of a loaded object, by role, in the codecs' terms:
// the state a packet test sets up and the counters and conntrack entries it checks.
import type { NativeAddon } from '../../src/native/native.js';
import { lbMaps, type LbMaps } from '../../src/dataplane/maps.js';
import {
  decodeActive,
  decodeExitCounter,
  decodeFlow,
  decodeFlowKey,
  decodeStats,
  decodeU64,
  encodeActive,
  encodeBackend,
  encodeCidrKey,
  encodeFlow,
  encodeFlowKey,
  encodeRing,
  encodeSettings,
  encodeU32,
  encodeVipKey,
  encodeVipMeta,
  ExitReason,
  EXIT_COUNTER_SIZE,
  familyOf,
  LB_EXIT_MAX,
  LB_RING_SIZE,
  MapName,
  ringKeys,
  STATS_SIZE,
  sumPerCpu,
  U64_SIZE,
  type Active,
  type Backend,
  type CidrKey,
  type ExitReasonName,
  type Flow,
  type FlowKey,
  type Settings,
  type Stats,
  type VipKey,
  type VipMeta,
} from '../../src/dataplane/codecs.js';

export abstract class LbMapAccess {
  protected abstract readonly addon: NativeAddon;
  /** fd of a map of the object, by name. */
  abstract fd(map: string): number;
  protected abstract mapInfos(): ReturnType<NativeAddon['objectMaps']>;

  /** The addon and the maps by role, for code under test that takes them (e.g. the sweep). */
  get nat(): NativeAddon {
    return this.addon;
  }

  get maps(): LbMaps {
    return lbMaps(this.mapInfos());
  }

  setVip(key: VipKey, meta: VipMeta): void {
    this.addon.mapUpdate(this.fd(MapName.vips), encodeVipKey(key), encodeVipMeta(meta));
  }

  setBackend(id: number, b: Backend): void {
    this.addon.mapUpdate(this.fd(MapName.backends), encodeU32(id), encodeBackend(b));
  }

  setRing(ringId: number, table: Uint32Array): void {
    this.addon.mapUpdateBatch(this.fd(MapName.rings), ringKeys(ringId), encodeRing(table), LB_RING_SIZE);
  }

  setSettings(s: Settings): void {
    this.addon.mapUpdate(this.fd(MapName.settings), encodeU32(0), encodeSettings(s));
  }

  flow(key: FlowKey): Flow | null {
    const v = this.addon.mapLookup(this.fd(MapName.flows), encodeFlowKey(key));
    return v ? decodeFlow(v, familyOf(key.src)) : null;
  }

  setFlow(key: FlowKey, flow: Flow): void {
    this.addon.mapUpdate(this.fd(MapName.flows), encodeFlowKey(key), encodeFlow(flow));
  }

  /** false when there was no such entry. */
  deleteFlow(key: FlowKey): boolean {
    return this.addon.mapDelete(this.fd(MapName.flows), encodeFlowKey(key));
  }

  /** Every conntrack entry (both directions). */
  flows(): { key: FlowKey; flow: Flow }[] {
    const fd = this.fd(MapName.flows);
    const out: { key: FlowKey; flow: Flow }[] = [];
    for (let k = this.addon.mapNextKey(fd, null); k; k = this.addon.mapNextKey(fd, k)) {
      const v = this.addon.mapLookup(fd, k);
      const key = decodeFlowKey(k);
      if (v) out.push({ key, flow: decodeFlow(v, familyOf(key.src)) });
    }
    return out;
  }

  clearFlows(): void {
    const fd = this.fd(MapName.flows);
    for (let k = this.addon.mapNextKey(fd, null); k; k = this.addon.mapNextKey(fd, null))
      this.addon.mapDelete(fd, k);
  }

  allowCidr(k: CidrKey): void {
    this.addon.mapUpdate(this.fd(MapName.allowedCidrs), encodeCidrKey(k), encodeU32(1));
  }

  denyCidr(k: CidrKey): void {
    this.addon.mapDelete(this.fd(MapName.allowedCidrs), encodeCidrKey(k));
  }

  private u64(map: string, id: number): bigint {
    const v = this.addon.mapLookup(this.fd(map), encodeU32(id));
    if (!v) throw new Error(`${map}[${id}] missing`);
    return decodeU64(v);
  }

  vipOpened(vipId: number): bigint {
    return this.u64(MapName.vipOpened, vipId);
  }

  backendOpened(backendId: number): bigint {
    return this.u64(MapName.backendOpened, backendId);
  }

  setVipActive(vipId: number, a: Active): void {
    this.addon.mapUpdate(this.fd(MapName.vipActive), encodeU32(vipId), encodeActive(a));
  }

  setBackendActive(backendId: number, a: Active): void {
    this.addon.mapUpdate(this.fd(MapName.backendActive), encodeU32(backendId), encodeActive(a));
  }

  vipActive(vipId: number): Active {
    return decodeActive(this.addon.mapLookup(this.fd(MapName.vipActive), encodeU32(vipId))!);
  }

  backendActive(backendId: number): Active {
    return decodeActive(this.addon.mapLookup(this.fd(MapName.backendActive), encodeU32(backendId))!);
  }

  /** Drops of a VIP for one reason, summed over CPUs. */
  vipDrops(vipId: number, reason: ExitReasonName): number {
    return this.perCpuU64(MapName.vipDrops, vipId * LB_EXIT_MAX + ExitReason[reason]);
  }

  backendDrops(backendId: number, reason: ExitReasonName): number {
    return this.perCpuU64(MapName.backendDrops, backendId * LB_EXIT_MAX + ExitReason[reason]);
  }

  private perCpuU64(map: string, index: number): number {
    return Number(decodeU64(this.perCpu(map, index, U64_SIZE)));
  }

  /** A VIP's round-robin position on each CPU (lb_rr, per-CPU u32 in 8-byte slots). */
  roundRobin(vipId: number): number[] {
    const v = this.addon.mapLookup(this.fd(MapName.rr), encodeU32(vipId))!;
    return Array.from({ length: this.addon.possibleCpus() }, (_, cpu) => v.readUInt32LE(cpu * 8));
  }

  /** Number of conntrack entries (both directions). */
  flowCount(): number {
    let n = 0;
    for (
      let k = this.addon.mapNextKey(this.fd(MapName.flows), null);
      k;
      k = this.addon.mapNextKey(this.fd(MapName.flows), k)
    )
      n++;
    return n;
  }

  private perCpu(map: string, id: number, size: number): Buffer {
    const v = this.addon.mapLookup(this.fd(map), encodeU32(id));
    if (!v) throw new Error(`${map}[${id}] missing`);
    return sumPerCpu(v, this.addon.possibleCpus(), size);
  }

  vipStats(vipId: number): Stats {
    return decodeStats(this.perCpu(MapName.vipStats, vipId, STATS_SIZE));
  }

  backendStats(backendId: number): Stats {
    return decodeStats(this.perCpu(MapName.backendStats, backendId, STATS_SIZE));
  }

  exitPackets(reason: ExitReasonName): number {
    return decodeExitCounter(this.perCpu(MapName.exitStats, ExitReason[reason], EXIT_COUNTER_SIZE)).packets;
  }
}
